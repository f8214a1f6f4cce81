using UserLvs.Forwarder.Packets;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>MAC addresses as ip link prints them, held as one 48-bit integer.</summary>
public class MacAddressTests
{
    [Fact]
    public void Parse_ReadsOctetsFirstMostSignificant_AndPrintsLowerCaseWithColons()
    {
        var mac = MacAddress.Parse("02:00:5E:10:00:0a");
        Assert.Equal(0x02005E10000AUL, mac.Value);
        Assert.Equal("02:00:5e:10:00:0a", mac.ToString());
        Assert.Equal(mac, MacAddress.Parse("02-00-5e-10-00-0a"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("02:00:5e:10:00")]
    [InlineData("02:00:5e:10:00:0a:01")]
    [InlineData("02:00-5e:10:00:0a")]
    [InlineData("0g:00:5e:10:00:0a")]
    [InlineData("2:00:5e:10:00:0a0")]
    public void TryParse_RefusesAnythingButSixHexOctets(string text) =>
        Assert.False(MacAddress.TryParse(text, out _));

    [Fact]
    public void Broadcast_IsAllOnes_AndMulticastIsTheGroupBit()
    {
        Assert.Equal("ff:ff:ff:ff:ff:ff", MacAddress.Broadcast.ToString());
        Assert.True(MacAddress.Broadcast.IsBroadcast);
        Assert.True(MacAddress.Parse("01:00:5e:00:00:12").IsMulticast);   // VRRP's IPv4 multicast MAC
        Assert.False(MacAddress.Parse("02:00:5e:10:00:01").IsMulticast);
        Assert.False(MacAddress.Parse("01:00:5e:00:00:12").IsBroadcast);
    }

    [Fact]
    public void ReadAndWrite_AreTheWireOrder()
    {
        byte[] bytes = [0xAA, 0x02, 0x00, 0x5E, 0x10, 0x00, 0x07, 0xBB];
        var mac = MacAddress.Read(bytes.AsSpan(1));
        Assert.Equal(Frames.ClientMac.GetAddressBytes(), bytes[1..7]);
        Assert.Equal("02:00:5e:10:00:07", mac.ToString());

        var written = new byte[8];
        mac.WriteTo(written.AsSpan(1));
        Assert.Equal(new byte[] { 0, 0x02, 0x00, 0x5E, 0x10, 0x00, 0x07, 0 }, written);
    }
}
