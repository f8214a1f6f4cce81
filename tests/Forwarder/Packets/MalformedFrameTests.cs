using System.Buffers.Binary;
using CsCheck;
using PacketDotNet;
using UserLvs.Forwarder.Packets;
using ArpPacket = UserLvs.Forwarder.Packets.ArpPacket;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>
/// Whatever arrives, the views answer with a drop reason and never throw: frames cut at every
/// length, lying length fields, random bytes and random corruption of valid frames.
/// </summary>
public class MalformedFrameTests
{
    /// <summary>The order of checks the worker loop follows; returns the first reason to drop, or None.</summary>
    internal static DropReason Classify(Span<byte> frame)
    {
        var reason = EthernetFrame.TryParse(frame, out var eth);
        if (reason != DropReason.None) return reason;
        if (eth.EtherType == EtherType.Arp) return ArpPacket.TryParse(eth.Payload, out _);
        if (eth.EtherType != EtherType.Ipv4) return DropReason.UnsupportedEtherType;

        reason = Ipv4Header.TryParse(eth.Payload, out var ip);
        if (reason != DropReason.None) return reason;
        Assert.Equal(ip.TotalLength, ip.Bytes.Length);
        if (ip.IsFragment) return DropReason.Fragment;
        switch (ip.Protocol)
        {
            case IpProtocol.Tcp:
                reason = TcpHeader.TryParse(ip.Payload, out var tcp);
                if (reason == DropReason.None) Assert.True(tcp.HeaderLength <= tcp.Segment.Length);
                return reason;
            case IpProtocol.Udp:
                reason = UdpHeader.TryParse(ip.Payload, out var udp);
                if (reason == DropReason.None) Assert.Equal(udp.Length, udp.Datagram.Length);
                return reason;
            case IpProtocol.Icmp:
                reason = IcmpHeader.TryParse(ip.Payload, out var icmp);
                if (reason != DropReason.None || !icmp.IsError) return reason;
                reason = icmp.TryGetQuote(out var quote);
                if (reason == DropReason.None) Assert.Equal(8, quote.Transport.Length);
                return reason;
            default:
                return DropReason.UnsupportedProtocol;
        }
    }

    private static DropReason ExpectedForCut(int length, int ethernetHeader, int ipHeader)
    {
        if (length < ethernetHeader) return DropReason.TruncatedEthernet;
        if (length < ethernetHeader + ipHeader) return DropReason.TruncatedIpv4Header;
        return DropReason.TotalLengthExceedsFrame;
    }

    private static readonly string[] Names = ["tcp", "udp", "tcp+vlan+options", "icmp-error"];

    public static TheoryData<string> ValidFrames => new(Names);

    private static byte[] Build(string name) => name switch
    {
        "tcp" => Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(21)),
        "udp" => Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(3)),
        "tcp+vlan+options" => Frames.WithVlan(Frames.WithIpOptions(Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(5)), [1, 1, 1, 0, 1, 1, 1, 0]), 0x0064),
        _ => IcmpHeaderTests.Error(3, 3, Frames.Udp(Frames.Client, 40000, Frames.Rip, 5353, Frames.Payload(50)), 28, Frames.Rip, Frames.Client),
    };

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void AFrameCutAtEveryLength_IsDroppedForTheFirstMissingPart(string name)
    {
        var frame = Build(name);
        var (ip, transport) = Frames.Offsets(frame);
        Assert.Equal(DropReason.None, Classify(frame));
        for (int length = 0; length < frame.Length; length++)
            Assert.Equal(ExpectedForCut(length, ip, transport - ip), Classify(frame.AsSpan(0, length)));
    }

    [Fact]
    public void AnArpFrameCutShort_IsTruncatedArp()
    {
        var frame = new byte[60];
        ArpPacket.WriteGratuitous(frame, MacAddress.Parse("02:00:5e:10:00:01"), Scheduling.IPv4Address.Parse(Frames.Vip));
        for (int length = 14; length < 42; length++)
            Assert.Equal(DropReason.TruncatedArp, Classify(frame.AsSpan(0, length)));
        Assert.Equal(DropReason.None, Classify(frame.AsSpan(0, 42)));
    }

    [Theory]
    [InlineData("tcp", 20, DropReason.TruncatedTcpHeader)]
    [InlineData("udp", 8, DropReason.TruncatedUdpHeader)]
    [InlineData("icmp-error", 8, DropReason.TruncatedIcmp)]
    public void AnIpPacketThatEndsInsideItsTransportHeader_IsTruncated(string name, int headerLength, DropReason expected)
    {
        for (int kept = 0; kept < headerLength; kept++)
        {
            var frame = Build(name);
            var ip = Frames.Parse(frame).Extract<IPv4Packet>();
            ip.TotalLength = 20 + kept;
            ip.UpdateIPChecksum();
            Assert.Equal(expected, Classify(frame));
        }
    }

    [Fact]
    public void OtherEtherTypesAndProtocols_AreUnsupported()
    {
        var ipv6 = Build("udp");
        ipv6[12] = 0x86; ipv6[13] = 0xDD;
        Assert.Equal(DropReason.UnsupportedEtherType, Classify(ipv6));

        var sctp = Build("udp");
        var ip = Frames.Parse(sctp).Extract<IPv4Packet>();
        ip.Protocol = PacketDotNet.ProtocolType.Gre;
        ip.UpdateIPChecksum();
        Assert.Equal(DropReason.UnsupportedProtocol, Classify(sctp));
    }

    [Fact]
    public void AFragment_IsDroppedAsFragment()
    {
        var frame = Build("udp");
        var ip = Frames.Parse(frame).Extract<IPv4Packet>();
        ip.FragmentFlags = 1;   // MF
        ip.UpdateIPChecksum();
        Assert.Equal(DropReason.Fragment, Classify(frame));
    }

    [Fact]
    public void RandomBytes_NeverThrow() =>
        Gen.Byte.Array[0, 128].Sample(bytes => { Classify(bytes); }, iter: 20_000);

    [Fact]
    public void RandomBytesBehindAnIpv4EtherType_NeverThrow() =>
        Gen.Select(Gen.Byte.Array[0, 120], Gen.Int[0, 15], Gen.Byte).Sample((bytes, ihl, protocol) =>
        {
            var frame = new byte[14 + bytes.Length];
            frame[12] = 0x08;
            bytes.CopyTo(frame, 14);
            if (bytes.Length >= 20)
            {
                // Make the header plausible so the parse gets past the checksum into the transport views.
                frame[14] = (byte)(0x40 | ihl);
                frame[14 + 9] = (byte)(protocol % 3 == 0 ? 6 : protocol % 3 == 1 ? 17 : 1);
                frame[14 + 6] = 0;   // not a fragment
                frame[14 + 7] = 0;
                int headerLength = Math.Max(20, Math.Min(ihl * 4, bytes.Length));
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), (ushort)(bytes.Length - protocol % 5));
                frame[24] = frame[25] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), Frames.Reference(frame.AsSpan(14, headerLength)));
            }
            Classify(frame);
        }, iter: 20_000);

    [Fact]
    public void RandomCorruptionOfValidFrames_NeverThrows() =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 10_000].Array[1, 4], Gen.Byte.Array[4]).Sample((which, positions, values) =>
        {
            var frame = Build(Names[which]);
            for (int i = 0; i < positions.Length; i++) frame[positions[i] % frame.Length] = values[i];
            Classify(frame);
        }, iter: 10_000);
}
