using System.Buffers.Binary;
using System.Net;
using PacketDotNet;
using PacketDotNet.Utils;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>
/// ICMP errors quote the offending datagram's header and 8 bytes of its transport header: that
/// quote is how IPVS finds the connection (ip_vs_in_icmp / ip_vs_out_icmp) and what
/// ip_vs_nat_icmp rewrites along with the outer header.
/// </summary>
public class IcmpHeaderTests
{
    /// <summary>
    /// An ICMP error from <paramref name="from"/> to <paramref name="to"/> quoting the first
    /// <paramref name="quoteLength"/> bytes of <paramref name="original"/>'s IPv4 packet.
    /// </summary>
    internal static byte[] Error(byte type, byte code, byte[] original, int quoteLength, string from, string to)
    {
        var quoted = original.AsSpan(14, Math.Min(quoteLength, original.Length - 14));
        var message = new byte[8 + quoted.Length];
        message[0] = type;
        message[1] = code;
        quoted.CopyTo(message.AsSpan(8));
        var icmp = new IcmpV4Packet(new ByteArraySegment(message));
        var ip = new IPv4Packet(IPAddress.Parse(from), IPAddress.Parse(to)) { PayloadPacket = icmp, TimeToLive = 64, Protocol = PacketDotNet.ProtocolType.Icmp };
        var eth = new EthernetPacket(Frames.RouterMac, Frames.ClientMac, EthernetType.IPv4) { PayloadPacket = ip };
        eth.UpdateCalculatedValues();
        icmp.UpdateIcmpChecksum();
        ip.UpdateIPChecksum();
        return eth.Bytes.ToArray();
    }

    private static IcmpHeader Parse(byte[] frame, out Ipv4Header ip)
    {
        Assert.Equal(DropReason.None, EthernetFrame.TryParse(frame, out var eth));
        Assert.Equal(DropReason.None, Ipv4Header.TryParse(eth.Payload, out ip));
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(DropReason.None, IcmpHeader.TryParse(ip.Payload, out var icmp));
        return icmp;
    }

    // A UDP request client -> RIP:5353 with 100 bytes of payload; the real server answers "port unreachable".
    private static byte[] UdpToRealServer() => Frames.Udp(Frames.Client, 40000, Frames.Rip, 5353, Frames.Payload(100));

    [Fact]
    public void TryGetQuote_FindsTheQuotedHeaderAndPorts()
    {
        var frame = Error(IcmpHeader.DestinationUnreachable, 3, UdpToRealServer(), 28, Frames.Rip, Frames.Client);
        var pdn = Frames.Parse(frame).Extract<IcmpV4Packet>();

        var icmp = Parse(frame, out _);
        Assert.Equal(IcmpHeader.DestinationUnreachable, icmp.Type);
        Assert.Equal(3, icmp.Code);
        Assert.Equal(pdn.Checksum, icmp.Checksum);
        Assert.True(icmp.IsChecksumValid);
        Assert.True(icmp.IsError);

        Assert.Equal(DropReason.None, icmp.TryGetQuote(out var quote));
        Assert.Equal(IPv4Address.Parse(Frames.Client), quote.Ip.Source);
        Assert.Equal(IPv4Address.Parse(Frames.Rip), quote.Ip.Destination);
        Assert.Equal(IpProtocol.Udp, quote.Ip.Protocol);
        Assert.Equal(20 + 8 + 100, quote.Ip.TotalLength);   // the original's length, not the quote's
        Assert.Equal(8, quote.Ip.Payload.Length);
        Assert.Equal(40000, quote.SourcePort);
        Assert.Equal(5353, quote.DestinationPort);
    }

    [Fact]
    public void TryGetQuote_WithOptionsInTheQuotedHeader_FindsThePortsAfterThem()
    {
        var original = Frames.WithIpOptions(UdpToRealServer(), [0x94, 0x04, 0x00, 0x00]);
        var frame = Error(IcmpHeader.TimeExceeded, 0, original, 576, "10.0.0.254", Frames.Client);

        var icmp = Parse(frame, out _);
        Assert.Equal(DropReason.None, icmp.TryGetQuote(out var quote));
        Assert.Equal(24, quote.Ip.HeaderLength);
        Assert.Equal(new byte[] { 0x94, 0x04, 0x00, 0x00 }, quote.Ip.Options.ToArray());
        Assert.Equal(108, quote.Ip.Payload.Length);   // the whole original fitted in 576 bytes
        Assert.Equal(40000, quote.SourcePort);
        Assert.Equal(5353, quote.DestinationPort);
    }

    [Fact]
    public void TryGetQuote_WithLessThanAHeaderAndEightBytes_IsTruncatedIcmpQuote()
    {
        var frame = Error(IcmpHeader.DestinationUnreachable, 3, UdpToRealServer(), 28, Frames.Rip, Frames.Client);
        var message = frame.AsSpan(34).ToArray();
        for (int length = 8; length < 36; length++)
        {
            IcmpHeader.TryParse(message.AsSpan(0, length), out var icmp);
            Assert.Equal(DropReason.TruncatedIcmpQuote, icmp.TryGetQuote(out _));
        }

        // A quoted header with options needs its options and 8 more bytes.
        var withOptions = Error(3, 3, Frames.WithIpOptions(UdpToRealServer(), [1, 1, 1, 0]), 31, Frames.Rip, Frames.Client);
        IcmpHeader.TryParse(withOptions.AsSpan(34), out var short3);
        Assert.Equal(DropReason.TruncatedIcmpQuote, short3.TryGetQuote(out _));
    }

    [Fact]
    public void TryGetQuote_OfABadHeaderOrANonError_IsBadIcmpQuote()
    {
        var v6 = Error(3, 3, UdpToRealServer(), 28, Frames.Rip, Frames.Client);
        v6[14 + 20 + 8] = 0x65;
        IcmpHeader.TryParse(v6.AsSpan(34), out var icmp);
        Assert.Equal(DropReason.BadIcmpQuote, icmp.TryGetQuote(out _));

        var ihl4 = Error(3, 3, UdpToRealServer(), 28, Frames.Rip, Frames.Client);
        ihl4[14 + 20 + 8] = 0x44;
        IcmpHeader.TryParse(ihl4.AsSpan(34), out icmp);
        Assert.Equal(DropReason.BadIcmpQuote, icmp.TryGetQuote(out _));

        var echo = Error(IcmpHeader.EchoRequest, 0, UdpToRealServer(), 28, Frames.Client, Frames.Vip);
        IcmpHeader.TryParse(echo.AsSpan(34), out icmp);
        Assert.False(icmp.IsError);
        Assert.Equal(DropReason.BadIcmpQuote, icmp.TryGetQuote(out _));
    }

    [Fact]
    public void TryParse_FewerThanEightBytes_IsTruncatedIcmp()
    {
        for (int length = 0; length < 8; length++)
            Assert.Equal(DropReason.TruncatedIcmp, IcmpHeader.TryParse(new byte[length], out _));
    }

    [Fact]
    public void IsChecksumValid_SeesAnyChangeToTheQuote()
    {
        var frame = Error(3, 3, UdpToRealServer(), 28, Frames.Rip, Frames.Client);
        frame[^1] ^= 0x10;
        Assert.False(Parse(frame, out _).IsChecksumValid);
    }

    /// <summary>
    /// The expected frame after NAT, made the slow way: edit the bytes, then recompute the quoted
    /// header's checksum (naive sum), the ICMP checksum and the outer header checksum (PacketDotNet).
    /// </summary>
    private static byte[] ExpectedIcmpNat(byte[] frame, int outerOffset, int quotedOffset, int quotedPortOffset, IPv4Address address, ushort port)
    {
        var copy = (byte[])frame.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(14 + outerOffset), address.Value);
        const int quoted = 14 + 20 + 8;
        int quotedHeaderLength = (copy[quoted] & 0xF) * 4;
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(quoted + quotedOffset), address.Value);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(quoted + quotedHeaderLength + quotedPortOffset), port);
        copy[quoted + 10] = copy[quoted + 11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(quoted + 10), Frames.Reference(copy.AsSpan(quoted, quotedHeaderLength)));
        var packet = Frames.Parse(copy);
        packet.Extract<IcmpV4Packet>().UpdateIcmpChecksum();
        packet.Extract<IPv4Packet>().UpdateIPChecksum();
        return copy;
    }

    [Theory]
    [InlineData(28)]
    [InlineData(576)]
    public void SetSource_OfAnErrorFromTheRealServer_ShowsTheClientTheVirtualService(int quoteLength)
    {
        // RIP -> client "port unreachable" about client:40000 -> RIP:5353 becomes VIP -> client about client:40000 -> VIP:53.
        var frame = Error(3, 3, UdpToRealServer(), quoteLength, Frames.Rip, Frames.Client);
        var vip = IPv4Address.Parse(Frames.Vip);
        var expected = ExpectedIcmpNat(frame, Ipv4Header.SourceOffset, Ipv4Header.DestinationOffset, 2, vip, 53);

        var icmp = Parse(frame, out var ip);
        Assert.Equal(DropReason.None, icmp.TryGetQuote(out var quote));
        Ipv4Rewrite.SetSource(ip, icmp, quote, vip, 53);

        Assert.Equal(expected, frame);
        icmp.TryGetQuote(out quote);
        Assert.Equal(vip, quote.Ip.Destination);
        Assert.Equal(53, quote.DestinationPort);
        Assert.True(icmp.IsChecksumValid);
        Assert.True(Checksum.Verify(quote.Ip.Header));
    }

    [Fact]
    public void SetDestination_OfAnErrorFromTheClientSide_ShowsTheRealServerItsOwnPacket()
    {
        // A router on the client side says "fragmentation needed" about VIP:80 -> client; it goes to RIP about RIP:8080 -> client.
        var reply = Frames.Tcp(Frames.Vip, 80, Frames.Client, 40000, Frames.Payload(1400), ack: true);
        var frame = Error(IcmpHeader.DestinationUnreachable, IcmpHeader.FragmentationNeeded, reply, 28, "203.0.113.1", Frames.Vip);
        var rip = IPv4Address.Parse(Frames.Rip);
        var expected = ExpectedIcmpNat(frame, Ipv4Header.DestinationOffset, Ipv4Header.SourceOffset, 0, rip, 8080);

        var icmp = Parse(frame, out var ip);
        Assert.Equal(DropReason.None, icmp.TryGetQuote(out var quote));
        Ipv4Rewrite.SetDestination(ip, icmp, quote, rip, 8080);

        Assert.Equal(expected, frame);
        Assert.Equal(rip, ip.Destination);
    }
}
