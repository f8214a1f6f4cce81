using PacketDotNet;
using UserLvs.Forwarder.Packets;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>Ethernet II with at most one 802.1Q tag, read where PacketDotNet wrote it.</summary>
public class EthernetFrameTests
{
    [Fact]
    public void TryParse_Untagged_ReadsMacsTypeAndPayload()
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(10));
        var expected = (EthernetPacket)Frames.Parse(frame);

        Assert.Equal(DropReason.None, EthernetFrame.TryParse(frame, out var eth));
        Assert.Equal(expected.DestinationHardwareAddress.ToString(), eth.Destination.ToString().Replace(":", "").ToUpperInvariant());
        Assert.Equal("02:00:5e:10:00:01", eth.Destination.ToString());
        Assert.Equal("02:00:5e:10:00:07", eth.Source.ToString());
        Assert.False(eth.HasVlanTag);
        Assert.Equal(0, eth.VlanId);
        Assert.Equal((ushort)expected.Type, eth.EtherType);
        Assert.Equal(EtherType.Ipv4, eth.EtherType);
        Assert.Equal(14, eth.HeaderLength);
        Assert.Equal(expected.PayloadPacket.Bytes, eth.Payload.ToArray());
    }

    [Fact]
    public void TryParse_WithOne8021QTag_ReadsVlanIdPriorityAndInnerType()
    {
        // TCI 0x6064: priority 3, DEI 0, VLAN 100.
        var frame = Frames.WithVlan(Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(10)), 0x6064);
        var vlan = Frames.Parse(frame).Extract<Ieee8021QPacket>();

        Assert.Equal(DropReason.None, EthernetFrame.TryParse(frame, out var eth));
        Assert.True(eth.HasVlanTag);
        Assert.Equal(vlan.VlanIdentifier, eth.VlanId);
        Assert.Equal(100, eth.VlanId);
        Assert.Equal((byte)vlan.PriorityControlPoint, eth.Priority);
        Assert.Equal(3, eth.Priority);
        Assert.Equal((ushort)vlan.Type, eth.EtherType);
        Assert.Equal(EtherType.Ipv4, eth.EtherType);
        Assert.Equal(18, eth.HeaderLength);
        Assert.Equal(vlan.PayloadPacket.Bytes, eth.Payload.ToArray());
    }

    [Fact]
    public void SetMacs_RewritesOnlyTheAddresses_AsPacketDotNetThenReads()
    {
        var frame = Frames.WithVlan(Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(10)), 0x0064);
        var before = (byte[])frame.Clone();
        EthernetFrame.TryParse(frame, out var eth);

        eth.SetDestination(MacAddress.Parse("02:00:00:00:00:21"));
        eth.SetSource(MacAddress.Parse("02:00:00:00:00:fe"));

        var parsed = (EthernetPacket)Frames.Parse(frame);
        Assert.Equal("020000000021", parsed.DestinationHardwareAddress.ToString());
        Assert.Equal("0200000000FE", parsed.SourceHardwareAddress.ToString());
        Assert.Equal(before[12..], frame[12..]);
    }

    [Fact]
    public void TryParse_ShorterThanItsHeader_IsTruncatedEthernet()
    {
        var frame = Frames.WithVlan(Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, []), 0x0064);
        for (int length = 0; length < 18; length++)
            Assert.Equal(DropReason.TruncatedEthernet, EthernetFrame.TryParse(frame.AsSpan(0, length), out _));
        Assert.Equal(DropReason.None, EthernetFrame.TryParse(frame.AsSpan(0, 18), out var eth));
        Assert.True(eth.Payload.IsEmpty);

        // Untagged, 14 bytes is a whole (empty) frame.
        var untagged = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, []);
        Assert.Equal(DropReason.TruncatedEthernet, EthernetFrame.TryParse(untagged.AsSpan(0, 13), out _));
        Assert.Equal(DropReason.None, EthernetFrame.TryParse(untagged.AsSpan(0, 14), out _));
    }

    [Fact]
    public void TryParse_ReportsOtherTypesAsTheyAre_ForTheCallerToDrop()
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, []);
        frame[12] = 0x86; frame[13] = 0xDD;
        Assert.Equal(DropReason.None, EthernetFrame.TryParse(frame, out var eth));
        Assert.Equal(EtherType.Ipv6, eth.EtherType);

        // A QinQ outer tag is not unwrapped.
        var qinq = Frames.WithVlan(Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, []), 0x0064);
        qinq[12] = 0x88; qinq[13] = 0xA8;
        EthernetFrame.TryParse(qinq, out var outer);
        Assert.False(outer.HasVlanTag);
        Assert.Equal(EtherType.ServiceVlan, outer.EtherType);
    }
}
