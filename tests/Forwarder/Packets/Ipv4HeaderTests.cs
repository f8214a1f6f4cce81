using System.Buffers.Binary;
using PacketDotNet;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>
/// The IPv4 header as ip_rcv_core accepts it: version 4, IHL >= 5, header and total length within
/// the frame, header checksum verified; the payload ends at the total length, not at the frame's end.
/// </summary>
public class Ipv4HeaderTests
{
    private static readonly byte[] RouterAlert = [0x94, 0x04, 0x00, 0x00];   // RFC 2113, one 4-byte option

    private static Ipv4Header Parse(byte[] frame)
    {
        Assert.Equal(DropReason.None, EthernetFrame.TryParse(frame, out var eth));
        Assert.Equal(DropReason.None, Ipv4Header.TryParse(eth.Payload, out var ip));
        return ip;
    }

    [Fact]
    public void TryParse_ReadsEveryFieldPacketDotNetWrote()
    {
        var frame = Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(33), id: 0xBEEF, ttl: 57);
        var expected = Frames.Parse(frame).Extract<IPv4Packet>();
        expected.TypeOfService = 0xB9;       // DSCP 46 (EF), ECN 1
        expected.FragmentFlags = 0x2;        // DF
        expected.UpdateIPChecksum();

        var ip = Parse(frame);
        Assert.Equal(4, ip.Version);
        Assert.Equal(5, ip.Ihl);
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(46, ip.Dscp);
        Assert.Equal(1, ip.Ecn);
        Assert.Equal(expected.TotalLength, ip.TotalLength);
        Assert.Equal(20 + 20 + 33, ip.TotalLength);
        Assert.Equal(0xBEEF, ip.Identification);
        Assert.True(ip.DontFragment);
        Assert.False(ip.MoreFragments);
        Assert.Equal(0, ip.FragmentOffset);
        Assert.False(ip.IsFragment);
        Assert.Equal(57, ip.Ttl);
        Assert.Equal(IpProtocol.Tcp, ip.Protocol);
        Assert.Equal(expected.Checksum, ip.HeaderChecksum);
        Assert.Equal(IPv4Address.Parse(Frames.Client), ip.Source);
        Assert.Equal(IPv4Address.Parse(Frames.Vip), ip.Destination);
        Assert.True(ip.Options.IsEmpty);
        Assert.Equal(expected.PayloadPacket.Bytes, ip.Payload.ToArray());
    }

    [Fact]
    public void TryParse_WithOptions_FindsThePayloadAfterThem()
    {
        var frame = Frames.WithIpOptions(Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(9)), [.. RouterAlert, 0x01, 0x01, 0x01, 0x00]);
        var expected = Frames.Parse(frame).Extract<IPv4Packet>();
        Assert.True(expected.ValidIPChecksum);

        var ip = Parse(frame);
        Assert.Equal(7, ip.Ihl);
        Assert.Equal(expected.HeaderLength, ip.Ihl);
        Assert.Equal(28, ip.HeaderLength);
        Assert.Equal(new byte[] { 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 }, ip.Options.ToArray());
        Assert.Equal(expected.TotalLength, ip.TotalLength);
        Assert.Equal(IPv4Address.Parse(Frames.Vip), ip.Destination);
        Assert.Equal(DropReason.None, UdpHeader.TryParse(ip.Payload, out var udp));
        Assert.Equal(53, udp.DestinationPort);
        Assert.Equal(Frames.Payload(9), udp.Payload.ToArray());
    }

    [Fact]
    public void TryParse_BehindAVlanTag_ReadsTheSameHeader()
    {
        var untagged = Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(5));
        var tagged = Frames.WithVlan(untagged, 0x0064);
        Assert.Equal(Parse(untagged).Bytes.ToArray(), Parse(tagged).Bytes.ToArray());
        Assert.Equal(IPv4Address.Parse(Frames.Vip), Parse(tagged).Destination);
    }

    [Fact]
    public void Payload_StopsAtTheTotalLength_IgnoringEthernetPadding()
    {
        // A 1-byte UDP payload makes a 43-byte frame; the wire pads it to 60 with whatever bytes.
        var frame = Frames.Padded(Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, [0x42]), 17);
        var ip = Parse(frame);
        Assert.Equal(29, ip.TotalLength);
        Assert.Equal(29, ip.Bytes.Length);
        Assert.Equal(9, ip.Payload.Length);
        UdpHeader.TryParse(ip.Payload, out var udp);
        Assert.True(Checksum.VerifyTransport(ip.Source, ip.Destination, ip.Protocol, udp.Datagram));
    }

    [Theory]
    [InlineData(0x2000, true, 0)]       // MF: the first fragment
    [InlineData(0x00B9, false, 185)]    // offset 185*8: the last fragment
    [InlineData(0x20B9, true, 185)]     // a middle fragment
    public void Fragments_ParseButSayTheyAreFragments(int flagsAndOffset, bool moreFragments, int offset)
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(8));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), (ushort)flagsAndOffset);
        Frames.Parse(frame).Extract<IPv4Packet>().UpdateIPChecksum();

        var ip = Parse(frame);
        Assert.True(ip.IsFragment);
        Assert.Equal(moreFragments, ip.MoreFragments);
        Assert.Equal(offset, ip.FragmentOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void TryParse_IhlBelowFive_IsBadIhl(int ihl)
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(8));
        frame[14] = (byte)(0x40 | ihl);
        Assert.Equal(DropReason.BadIhl, Ipv4Header.TryParse(frame.AsSpan(14), out _));
    }

    [Theory]
    [InlineData(0x65)]
    [InlineData(0x05)]
    [InlineData(0xF5)]
    public void TryParse_VersionOtherThanFour_IsBadIpv4Version(byte firstByte)
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(8));
        frame[14] = firstByte;
        Assert.Equal(DropReason.BadIpv4Version, Ipv4Header.TryParse(frame.AsSpan(14), out _));
    }

    [Fact]
    public void TryParse_IhlPastTheBytes_IsTruncatedIpv4Header()
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, []);   // 28 bytes of IP
        frame[14] = 0x48;                                                      // claims 32 bytes of header
        Assert.Equal(DropReason.TruncatedIpv4Header, Ipv4Header.TryParse(frame.AsSpan(14), out _));
    }

    [Fact]
    public void TryParse_TotalLengthPastTheFrame_IsTotalLengthExceedsFrame()
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(8));
        var ip = Frames.Parse(frame).Extract<IPv4Packet>();
        ip.TotalLength += 1;
        ip.UpdateIPChecksum();
        Assert.Equal(DropReason.TotalLengthExceedsFrame, Ipv4Header.TryParse(frame.AsSpan(14), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    public void TryParse_TotalLengthBelowTheHeader_IsTotalLengthBelowHeader(int totalLength)
    {
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(8));
        var ip = Frames.Parse(frame).Extract<IPv4Packet>();
        ip.TotalLength = totalLength;
        ip.UpdateIPChecksum();
        Assert.Equal(DropReason.TotalLengthBelowHeader, Ipv4Header.TryParse(frame.AsSpan(14), out _));
    }

    [Fact]
    public void TryParse_AnyFlippedHeaderBit_IsBadIpv4HeaderChecksum()
    {
        var frame = Frames.WithIpOptions(Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(8)), RouterAlert);
        // Every bit of the header but the ones that change its length or version (checked before the sum).
        for (int bit = 0; bit < 24 * 8; bit++)
        {
            int offset = bit / 8;
            if (offset is 0 or 2 or 3) continue;
            var corrupt = (byte[])frame.Clone();
            corrupt[14 + offset] ^= (byte)(1 << (bit % 8));
            Assert.Equal(DropReason.BadIpv4HeaderChecksum, Ipv4Header.TryParse(corrupt.AsSpan(14), out _));
        }
    }
}
