using System.Buffers.Binary;
using System.Net;
using CsCheck;
using PacketDotNet;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>
/// LVS-NAT's rewrites (IPVS's dnat/snat handlers): after an incremental rewrite the whole frame
/// equals the frame PacketDotNet builds with the new addresses and ports and fresh checksums;
/// partial checksums (CHECKSUM_PARTIAL) follow the address but not the port, and complete to
/// the fresh checksum.
/// </summary>
public class Ipv4RewriteTests
{
    public static readonly TheoryData<int> PayloadLengths = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1371, 1460];

    private static readonly IPv4Address VipAddress = IPv4Address.Parse(Frames.Vip);
    private static readonly IPv4Address RipAddress = IPv4Address.Parse(Frames.Rip);

    /// <summary>What the NAT path does: parse, then rewrite destination (dnat) or source (snat).</summary>
    private static void Nat(byte[] frame, bool destination, IPv4Address address, ushort port, ChecksumStatus status)
    {
        Assert.Equal(DropReason.None, EthernetFrame.TryParse(frame, out var eth));
        Assert.Equal(DropReason.None, Ipv4Header.TryParse(eth.Payload, out var ip));
        if (ip.Protocol == IpProtocol.Tcp)
        {
            Assert.Equal(DropReason.None, TcpHeader.TryParse(ip.Payload, out var tcp));
            if (destination) Ipv4Rewrite.SetDestination(ip, tcp, address, port, status);
            else Ipv4Rewrite.SetSource(ip, tcp, address, port, status);
        }
        else
        {
            Assert.Equal(DropReason.None, UdpHeader.TryParse(ip.Payload, out var udp));
            if (destination) Ipv4Rewrite.SetDestination(ip, udp, address, port, status);
            else Ipv4Rewrite.SetSource(ip, udp, address, port, status);
        }
    }

    /// <summary>The same change made by PacketDotNet, with fresh checksums (UDP's 0 sent as 0xFFFF).</summary>
    private static byte[] Expected(byte[] frame, bool destination, IPv4Address address, ushort port, bool keepUdpZero = false)
    {
        var copy = (byte[])frame.Clone();
        var packet = Frames.Parse(copy);
        var ip = packet.Extract<IPv4Packet>();
        if (destination) ip.DestinationAddress = address.ToIPAddress();
        else ip.SourceAddress = address.ToIPAddress();
        if (packet.Extract<TcpPacket>() is { } tcp)
        {
            if (destination) tcp.DestinationPort = port; else tcp.SourcePort = port;
            tcp.UpdateTcpChecksum();
        }
        else
        {
            var udp = packet.Extract<UdpPacket>();
            if (destination) udp.DestinationPort = port; else udp.SourcePort = port;
            if (!keepUdpZero) udp.Checksum = Checksum.NonZeroForUdp(udp.CalculateUdpChecksum());
        }
        ip.UpdateIPChecksum();
        return copy;
    }

    private static byte[] Request(byte protocol, int payloadLength) => protocol == IpProtocol.Tcp
        ? Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(payloadLength, payloadLength))
        : Frames.Udp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(payloadLength, payloadLength));

    private static byte[] Reply(byte protocol, int payloadLength) => protocol == IpProtocol.Tcp
        ? Frames.Tcp(Frames.Rip, 8080, Frames.Client, 40000, Frames.Payload(payloadLength, payloadLength), ack: true)
        : Frames.Udp(Frames.Rip, 8080, Frames.Client, 40000, Frames.Payload(payloadLength, payloadLength));

    [Theory]
    [MemberData(nameof(PayloadLengths))]
    public void SetDestination_OnARequest_EqualsAFreshlyBuiltFrame(int payloadLength)
    {
        foreach (byte protocol in new[] { IpProtocol.Tcp, IpProtocol.Udp })
        {
            var frame = Request(protocol, payloadLength);
            var expected = Expected(frame, destination: true, RipAddress, 8080);
            Nat(frame, destination: true, RipAddress, 8080, ChecksumStatus.Complete);
            Assert.Equal(expected, frame);
        }
    }

    [Theory]
    [MemberData(nameof(PayloadLengths))]
    public void SetSource_OnAReply_EqualsAFreshlyBuiltFrame(int payloadLength)
    {
        foreach (byte protocol in new[] { IpProtocol.Tcp, IpProtocol.Udp })
        {
            var frame = Reply(protocol, payloadLength);
            var expected = Expected(frame, destination: false, VipAddress, 80);
            Nat(frame, destination: false, VipAddress, 80, ChecksumStatus.Complete);
            Assert.Equal(expected, frame);
        }
    }

    [Fact]
    public void Rewrite_BehindAVlanTagAndIpOptions_EqualsAFreshlyBuiltFrame()
    {
        var frame = Frames.WithVlan(Frames.WithIpOptions(Request(IpProtocol.Tcp, 33), [0x94, 0x04, 0x00, 0x00]), 0x0064);
        var expected = Expected(frame, destination: true, RipAddress, 8080);
        Nat(frame, destination: true, RipAddress, 8080, ChecksumStatus.Complete);
        Assert.Equal(expected, frame);
        Assert.True(Frames.Parse(frame).Extract<TcpPacket>().ValidTcpChecksum);
    }

    [Fact]
    public void Rewrite_OfAnyPacket_EqualsAFreshlyBuiltFrame() =>
        Gen.Select(Gen.UInt, Gen.UInt, Gen.UShort, Gen.UShort, Gen.Int[0, 1500], Gen.UInt, Gen.UShort, Gen.Int[0, 3])
            .Sample((source, destination, sourcePort, destinationPort, length, newAddress, newPort, kind) =>
            {
                bool tcp = (kind & 1) == 0, dnat = (kind & 2) == 0;
                string s = new IPv4Address(source).ToString(), d = new IPv4Address(destination).ToString();
                var frame = tcp
                    ? Frames.Tcp(s, sourcePort, d, destinationPort, Frames.Payload(length, (int)source))
                    : Frames.Udp(s, sourcePort, d, destinationPort, Frames.Payload(length, (int)source));
                if (!tcp) Frames.Parse(frame).Extract<UdpPacket>().Checksum = Checksum.NonZeroForUdp(Frames.TransportChecksum(frame));
                var expected = Expected(frame, dnat, new IPv4Address(newAddress), newPort);
                Nat(frame, dnat, new IPv4Address(newAddress), newPort, ChecksumStatus.Complete);
                Assert.Equal(expected, frame);
            }, iter: 500);

    [Fact]
    public void Udp_WithoutChecksum_KeepsNone()
    {
        var frame = Request(IpProtocol.Udp, 21);
        Frames.Parse(frame).Extract<UdpPacket>().Checksum = 0;
        var expected = Expected(frame, destination: true, RipAddress, 8080, keepUdpZero: true);
        Nat(frame, destination: true, RipAddress, 8080, ChecksumStatus.Complete);
        Assert.Equal(expected, frame);
        Assert.Equal(0, Frames.TransportChecksum(frame));
    }

    [Fact]
    public void Udp_WhoseNewChecksumComputesToZero_Sends0xFFFF()
    {
        // Pick the payload word that makes the rewritten datagram's checksum compute to 0.
        var probe = Request(IpProtocol.Udp, 2);
        probe[^2] = probe[^1] = 0;
        var rewritten = Expected(probe, destination: true, RipAddress, 8080, keepUdpZero: true);
        var udpProbe = Frames.Parse(rewritten).Extract<UdpPacket>();
        ushort word = udpProbe.CalculateUdpChecksum();
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 80, [(byte)(word >> 8), (byte)word]);
        var fresh = Frames.Parse(Expected(frame, destination: true, RipAddress, 8080, keepUdpZero: true)).Extract<UdpPacket>();
        Assert.Equal(0, fresh.CalculateUdpChecksum());

        Nat(frame, destination: true, RipAddress, 8080, ChecksumStatus.Complete);
        Assert.Equal(0xFFFF, Frames.TransportChecksum(frame));
        Assert.True(Checksum.VerifyTransport(IPv4Address.Parse(Frames.Client), RipAddress, IpProtocol.Udp, frame.AsSpan(34)));
    }

    [Theory]
    [MemberData(nameof(PayloadLengths))]
    public void CompletePartial_TurnsThePseudoHeaderSumIntoTheFreshChecksum(int payloadLength)
    {
        foreach (byte protocol in new[] { IpProtocol.Tcp, IpProtocol.Udp })
        {
            var frame = Request(protocol, payloadLength);
            var expected = (byte[])frame.Clone();
            Frames.MakePartial(frame);
            Assert.NotEqual(expected, frame);

            EthernetFrame.TryParse(frame, out var eth);
            Ipv4Header.TryParse(eth.Payload, out var ip);
            if (protocol == IpProtocol.Tcp) { TcpHeader.TryParse(ip.Payload, out var tcp); Checksum.CompletePartial(tcp); }
            else { UdpHeader.TryParse(ip.Payload, out var udp); Checksum.CompletePartial(udp); }

            Assert.Equal(expected, frame);
        }
    }

    [Theory]
    [MemberData(nameof(PayloadLengths))]
    public void PartialChecksum_FollowsTheAddressButNotThePort_AndCompletesToTheFreshChecksum(int payloadLength)
    {
        foreach (byte protocol in new[] { IpProtocol.Tcp, IpProtocol.Udp })
        foreach (bool dnat in new[] { true, false })
        {
            var frame = dnat ? Request(protocol, payloadLength) : Reply(protocol, payloadLength);
            var (address, port) = dnat ? (RipAddress, (ushort)8080) : (VipAddress, (ushort)80);
            var expected = Expected(frame, dnat, address, port);
            Frames.MakePartial(frame);

            Nat(frame, dnat, address, port, ChecksumStatus.Partial);

            // Still partial: exactly what a sender with the new addresses would have left there.
            var expectedPartial = (byte[])expected.Clone();
            Frames.MakePartial(expectedPartial);
            Assert.Equal(expectedPartial, frame);

            var (_, transport) = Frames.Offsets(frame);
            Checksum.CompletePartial(frame.AsSpan(transport, frame.Length - transport), Frames.ChecksumOffset(protocol), protocol == IpProtocol.Udp);
            Assert.Equal(expected, frame);
        }
    }

    [Fact]
    public void PartialChecksum_RewrittenAsIfComplete_WouldLeaveTheWire()
    {
        // The reason for ChecksumStatus: the complete-checksum update on a partial field is wrong.
        var frame = Request(IpProtocol.Tcp, 100);
        var expected = Expected(frame, destination: true, RipAddress, 8080);
        Frames.MakePartial(frame);
        Nat(frame, destination: true, RipAddress, 8080, ChecksumStatus.Complete);
        Checksum.CompletePartial(frame.AsSpan(34), 16, isUdp: false);
        Assert.NotEqual(Frames.TransportChecksum(expected), Frames.TransportChecksum(frame));
    }

    [Fact]
    public void DecrementTtl_UpdatesTheHeaderChecksum_AndRefusesToSendTtlZero()
    {
        var frame = Request(IpProtocol.Tcp, 10);
        var expected = (byte[])frame.Clone();
        var pdn = Frames.Parse(expected).Extract<IPv4Packet>();
        pdn.TimeToLive = 63;
        pdn.UpdateIPChecksum();

        EthernetFrame.TryParse(frame, out var eth);
        Ipv4Header.TryParse(eth.Payload, out var ip);
        Assert.Equal(DropReason.None, Ipv4Rewrite.DecrementTtl(ip));
        Assert.Equal(expected, frame);

        foreach (int ttl in new[] { 1, 0 })
        {
            var last = Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, [], ttl: ttl);
            var before = (byte[])last.Clone();
            EthernetFrame.TryParse(last, out var lastEth);
            Ipv4Header.TryParse(lastEth.Payload, out var lastIp);
            Assert.Equal(DropReason.TtlExpired, Ipv4Rewrite.DecrementTtl(lastIp));
            Assert.Equal(before, last);
        }
    }
}
