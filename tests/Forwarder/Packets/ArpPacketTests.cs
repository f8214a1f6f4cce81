using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;
using PdnArp = PacketDotNet.ArpPacket;
using ArpPacket = UserLvs.Forwarder.Packets.ArpPacket;
using ArpOperation = UserLvs.Forwarder.Packets.ArpOperation;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>Ethernet/IPv4 ARP (RFC 826): what the router reads, and the replies and gratuitous ARP it writes.</summary>
public class ArpPacketTests
{
    private static readonly MacAddress RouterMac = MacAddress.Parse("02:00:5e:10:00:01");

    private static byte[] Request(string senderIp, string targetIp)
    {
        var arp = new PdnArp(PacketDotNet.ArpOperation.Request, PhysicalAddress.Parse("00-00-00-00-00-00"), IPAddress.Parse(targetIp),
            Frames.ClientMac, IPAddress.Parse(senderIp));
        var eth = new EthernetPacket(Frames.ClientMac, PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF"), EthernetType.Arp) { PayloadPacket = arp };
        return eth.Bytes.ToArray();
    }

    [Fact]
    public void TryParse_ReadsTheRequestPacketDotNetWrote()
    {
        var frame = Request(Frames.Client, Frames.Vip);
        EthernetFrame.TryParse(frame, out var eth);
        Assert.Equal(EtherType.Arp, eth.EtherType);

        Assert.Equal(DropReason.None, ArpPacket.TryParse(eth.Payload, out var arp));
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal("02:00:5e:10:00:07", arp.SenderMac.ToString());
        Assert.Equal(IPv4Address.Parse(Frames.Client), arp.SenderIp);
        Assert.Equal(MacAddress.Zero, arp.TargetMac);
        Assert.Equal(IPv4Address.Parse(Frames.Vip), arp.TargetIp);
        Assert.False(arp.IsGratuitous);
    }

    [Fact]
    public void WriteReply_AnswersTheAsker_InA60ByteFramePacketDotNetReads()
    {
        var frame = new byte[64];
        frame.AsSpan().Fill(0xEE);
        int length = ArpPacket.WriteReply(frame, RouterMac, IPv4Address.Parse(Frames.Vip),
            MacAddress.Parse("02:00:5e:10:00:07"), IPv4Address.Parse(Frames.Client));

        Assert.Equal(60, length);
        var eth = (EthernetPacket)Frames.Parse(frame[..length]);
        Assert.Equal(EthernetType.Arp, eth.Type);
        Assert.Equal(Frames.ClientMac, eth.DestinationHardwareAddress);
        Assert.Equal(PhysicalAddress.Parse("02-00-5E-10-00-01"), eth.SourceHardwareAddress);
        var arp = eth.Extract<PdnArp>();
        Assert.Equal(PacketDotNet.ArpOperation.Response, arp.Operation);
        Assert.Equal(LinkLayers.Ethernet, arp.HardwareAddressType);
        Assert.Equal(PhysicalAddress.Parse("02-00-5E-10-00-01"), arp.SenderHardwareAddress);
        Assert.Equal(IPAddress.Parse(Frames.Vip), arp.SenderProtocolAddress);
        Assert.Equal(Frames.ClientMac, arp.TargetHardwareAddress);
        Assert.Equal(IPAddress.Parse(Frames.Client), arp.TargetProtocolAddress);
        Assert.All(frame[42..60], b => Assert.Equal(0, b));   // padding is zeros
        Assert.All(frame[60..], b => Assert.Equal(0xEE, b));  // nothing written past the frame
    }

    [Theory]
    [InlineData(ArpOperation.Request, "00:00:00:00:00:00")]
    [InlineData(ArpOperation.Reply, "02:00:5e:10:00:01")]
    public void WriteGratuitous_BroadcastsTheAddressAsBothSenderAndTarget(ArpOperation operation, string targetMac)
    {
        var frame = new byte[60];
        ArpPacket.WriteGratuitous(frame, RouterMac, IPv4Address.Parse(Frames.Vip), operation);

        EthernetFrame.TryParse(frame, out var eth);
        Assert.True(eth.Destination.IsBroadcast);
        Assert.Equal(RouterMac, eth.Source);
        Assert.Equal(DropReason.None, ArpPacket.TryParse(eth.Payload, out var arp));
        Assert.True(arp.IsGratuitous);
        Assert.Equal(operation, arp.Operation);
        Assert.Equal(RouterMac, arp.SenderMac);
        Assert.Equal(IPv4Address.Parse(Frames.Vip), arp.SenderIp);
        Assert.Equal(targetMac, arp.TargetMac.ToString());

        var pdn = Frames.Parse(frame).Extract<PdnArp>();
        Assert.Equal(IPAddress.Parse(Frames.Vip), pdn.TargetProtocolAddress);
    }

    [Fact]
    public void TryParse_ShortPayload_IsTruncatedArp()
    {
        var payload = Request(Frames.Client, Frames.Vip)[14..];
        for (int length = 0; length < 28; length++)
            Assert.Equal(DropReason.TruncatedArp, ArpPacket.TryParse(payload.AsSpan(0, length), out _));
        Assert.Equal(DropReason.None, ArpPacket.TryParse(payload.AsSpan(0, 28), out _));
    }

    [Theory]
    [InlineData(1, 0x06)]      // hardware type 6 (IEEE 802)
    [InlineData(2, 0x86)]      // protocol type 0x86DD
    [InlineData(4, 8)]         // hardware address length 8
    [InlineData(5, 16)]        // protocol address length 16
    public void TryParse_OtherThanEthernetIpv4_IsUnsupportedArp(int offset, byte value)
    {
        var payload = Request(Frames.Client, Frames.Vip)[14..];
        payload[offset] = value;
        Assert.Equal(DropReason.UnsupportedArp, ArpPacket.TryParse(payload, out _));
    }

    [Fact]
    public void Write_IntoTooSmallABuffer_IsAProgrammingError() =>
        Assert.Throws<ArgumentException>(() => ArpPacket.WriteGratuitous(new byte[59], RouterMac, IPv4Address.Parse(Frames.Vip)));
}
