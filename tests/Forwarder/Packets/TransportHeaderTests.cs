using System.Buffers.Binary;
using PacketDotNet;
using UserLvs.Forwarder.Packets;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>TCP and UDP headers as tcp_v4_rcv and __udp4_lib_rcv accept them.</summary>
public class TransportHeaderTests
{
    private static Span<byte> IpPayload(byte[] frame)
    {
        EthernetFrame.TryParse(frame, out var eth);
        Assert.Equal(DropReason.None, Ipv4Header.TryParse(eth.Payload, out var ip));
        return ip.Payload;
    }

    [Fact]
    public void Tcp_ReadsEveryFieldPacketDotNetWrote()
    {
        var frame = Frames.Tcp(Frames.Client, 40001, Frames.Vip, 443, Frames.Payload(17), syn: true, ack: true,
            sequence: 0xDEADBEEF, acknowledgment: 0x01020304, window: 64240);
        var expected = Frames.Parse(frame).Extract<TcpPacket>();

        Assert.Equal(DropReason.None, TcpHeader.TryParse(IpPayload(frame), out var tcp));
        Assert.Equal(40001, tcp.SourcePort);
        Assert.Equal(443, tcp.DestinationPort);
        Assert.Equal(0xDEADBEEFu, tcp.SequenceNumber);
        Assert.Equal(0x01020304u, tcp.AcknowledgmentNumber);
        Assert.Equal(5, tcp.DataOffset);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, tcp.Flags);
        Assert.Equal(expected.Flags, (ushort)tcp.Flags);
        Assert.True(tcp.Syn && tcp.Ack && !tcp.Fin && !tcp.Rst);
        Assert.Equal(64240, tcp.Window);
        Assert.Equal(expected.Checksum, tcp.Checksum);
        Assert.Equal(Frames.Payload(17), tcp.Payload.ToArray());
    }

    [Fact]
    public void Tcp_WithOptions_FindsThePayloadAfterThem()
    {
        // The first 4 payload bytes become an MSS option once the data offset says 6 words.
        var withOptions = Frames.Tcp(Frames.Client, 40001, Frames.Vip, 443, [0x02, 0x04, 0x05, 0xB4, .. Frames.Payload(3)]);
        withOptions[14 + 20 + 12] = 0x60;
        var tcpPdn = Frames.Parse(withOptions).Extract<TcpPacket>();
        tcpPdn.UpdateTcpChecksum();

        Assert.Equal(DropReason.None, TcpHeader.TryParse(IpPayload(withOptions), out var tcp));
        Assert.Equal(6, tcp.DataOffset);
        Assert.Equal(tcpPdn.DataOffset, tcp.DataOffset);
        Assert.Equal(new byte[] { 0x02, 0x04, 0x05, 0xB4 }, tcp.Options.ToArray());
        Assert.Equal(Frames.Payload(3), tcp.Payload.ToArray());
        Assert.Equal(tcpPdn.SourcePort, tcp.SourcePort);
    }

    [Theory]
    [InlineData(TcpFlags.Fin | TcpFlags.Ack)]
    [InlineData(TcpFlags.Rst)]
    public void Tcp_ReadsFinAndRst(TcpFlags flags)
    {
        var frame = Frames.Tcp(Frames.Client, 40001, Frames.Vip, 443, []);
        var pdn = Frames.Parse(frame).Extract<TcpPacket>();
        pdn.Flags = (ushort)flags;
        TcpHeader.TryParse(IpPayload(frame), out var tcp);
        Assert.Equal(flags, tcp.Flags);
        Assert.Equal((flags & TcpFlags.Fin) != 0, tcp.Fin);
        Assert.Equal((flags & TcpFlags.Rst) != 0, tcp.Rst);
        Assert.False(tcp.Syn);
    }

    [Fact]
    public void Tcp_FewerThan20Bytes_IsTruncatedTcpHeader()
    {
        var segment = Frames.Parse(Frames.Tcp(Frames.Client, 1, Frames.Vip, 80, [])).Extract<TcpPacket>().Bytes;
        for (int length = 0; length < 20; length++)
            Assert.Equal(DropReason.TruncatedTcpHeader, TcpHeader.TryParse(segment.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(0, 40)]
    [InlineData(4, 40)]
    [InlineData(11, 40)]     // 44 bytes of header in a 40-byte segment
    [InlineData(6, 23)]      // 24 bytes of header in a 23-byte segment
    public void Tcp_DataOffsetBelowFiveOrPastTheSegment_IsBadTcpDataOffset(int dataOffset, int segmentLength)
    {
        var segment = new byte[segmentLength];
        segment[12] = (byte)(dataOffset << 4);
        Assert.Equal(DropReason.BadTcpDataOffset, TcpHeader.TryParse(segment, out _));
    }

    [Fact]
    public void Udp_ReadsEveryFieldPacketDotNetWrote()
    {
        var frame = Frames.Udp(Frames.Client, 40002, Frames.Vip, 53, Frames.Payload(13));
        var expected = Frames.Parse(frame).Extract<UdpPacket>();

        Assert.Equal(DropReason.None, UdpHeader.TryParse(IpPayload(frame), out var udp));
        Assert.Equal(40002, udp.SourcePort);
        Assert.Equal(53, udp.DestinationPort);
        Assert.Equal(expected.Length, udp.Length);
        Assert.Equal(21, udp.Length);
        Assert.Equal(expected.Checksum, udp.Checksum);
        Assert.True(udp.HasChecksum);
        Assert.Equal(Frames.Payload(13), udp.Payload.ToArray());
    }

    [Fact]
    public void Udp_FewerThan8Bytes_IsTruncatedUdpHeader()
    {
        for (int length = 0; length < 8; length++)
            Assert.Equal(DropReason.TruncatedUdpHeader, UdpHeader.TryParse(new byte[length], out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(22)]       // one more than the 21 bytes there are
    [InlineData(65535)]
    public void Udp_LengthThatLies_IsBadUdpLength(int length)
    {
        var datagram = Frames.Parse(Frames.Udp(Frames.Client, 40002, Frames.Vip, 53, Frames.Payload(13))).Extract<UdpPacket>().Bytes;
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)length);
        Assert.Equal(DropReason.BadUdpLength, UdpHeader.TryParse(datagram, out _));
    }

    [Fact]
    public void Udp_LengthShorterThanTheIpPayload_TrimsTheDatagramAsTheKernelDoes()
    {
        var datagram = Frames.Parse(Frames.Udp(Frames.Client, 40002, Frames.Vip, 53, Frames.Payload(13))).Extract<UdpPacket>().Bytes;
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), 12);
        Assert.Equal(DropReason.None, UdpHeader.TryParse(datagram, out var udp));
        Assert.Equal(12, udp.Datagram.Length);
        Assert.Equal(Frames.Payload(4), udp.Payload.ToArray());
    }
}
