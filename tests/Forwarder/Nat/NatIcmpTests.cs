using System.Buffers.Binary;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;
using Pdn = PacketDotNet;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// ICMP errors about a connection cross the router translated, so path-MTU discovery and
/// "unreachable" work through LVS-NAT (ip_vs_in_icmp / ip_vs_out_icmp with ip_vs_nat_icmp):
///
///   from the client side, quoting a reply VIP:vport -> client:cport that the router sent:
///     outer destination VIP -> RIP; quoted source VIP:vport -> RIP:rport; out on the private side
///   from the private side, quoting a request client:cport -> RIP:rport that the router forwarded:
///     outer source -> VIP; quoted destination RIP:rport -> VIP:vport; out on the public side
///
/// The outer and quoted IP header checksums and the ICMP checksum must all verify afterwards; the
/// quoted transport checksum is left as it was (IPVS leaves it too).
/// </summary>
public sealed class NatIcmpTests : IDisposable
{
    private const ushort Port = 40001;
    private const uint Mtu1400 = 1400;
    private readonly NatLab _lab = new();

    public NatIcmpTests()
    {
        _lab.AddService(NatLab.Http);
        _lab.AddService(NatLab.Dns, realPort: NatLab.DnsRealPort);
        _lab.LearnServers();
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer();   // client:40001 -> server 1
    }

    public void Dispose() => _lab.Dispose();

    /// <summary>The reply the router sent to the client, VIP:80 -> client:40001, as a path router would quote it.</summary>
    private static byte[] ReplyAsSent(ushort clientPort = Port) =>
        Wire.Tcp(NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.HttpPort, NatLab.Client, clientPort,
            TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(1448), ttl: 63);

    /// <summary>The request the router forwarded, client:40001 -> RIP1:8080.</summary>
    private static byte[] RequestAsForwarded(ushort clientPort = Port, ushort realPort = NatLab.HttpRealPort) =>
        Wire.Tcp(NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.Client, clientPort, NatLab.Rip(1), realPort,
            TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(200), ttl: 63);

    private static byte[] FragmentationNeededFromClientSide(int quoteLength = 28, ushort clientPort = Port) =>
        Wire.Icmp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, NatLab.Vip, 3, 4, Mtu1400, ReplyAsSent(clientPort), quoteLength);

    private static byte[] UnreachableFromServerSide(byte code, int quoteLength = 28, ushort clientPort = Port) =>
        Wire.Icmp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.Client, 3, code, Mtu1400, RequestAsForwarded(clientPort), quoteLength);

    /// <summary>The outer IPv4 and the ICMP message of an output frame, with every checksum verified.</summary>
    private static (byte Type, byte Code, uint RestOfHeader, byte[] Quote) AssertIcmp(byte[] frame, MacAddress sourceMac, MacAddress destinationMac,
        IPv4Address source, IPv4Address destination)
    {
        var ip = Wire.AssertIp(frame, sourceMac, destinationMac, source, destination, ttl: 63);
        var icmp = ip.Extract<Pdn.IcmpV4Packet>();
        Assert.NotNull(icmp);
        var message = frame.AsSpan(14 + ip.HeaderLength * 4).ToArray();
        ushort stored = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
        Assert.Equal(stored, icmp.Checksum);
        message[2] = message[3] = 0;
        Assert.Equal(Reference.Checksum(message), stored);
        return (message[0], message[1], BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(4)), message[8..]);
    }

    /// <summary>The quoted datagram: its header checksum must verify, and its addresses and ports are returned.</summary>
    private static (IPv4Address Source, ushort SourcePort, IPv4Address Destination, ushort DestinationPort) Quoted(byte[] quote)
    {
        int headerLength = (quote[0] & 0x0F) * 4;
        var header = quote[..headerLength];
        ushort stored = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(10));
        header[10] = header[11] = 0;
        Assert.Equal(Reference.Checksum(header), stored);
        return (new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(quote.AsSpan(12))),
            BinaryPrimitives.ReadUInt16BigEndian(quote.AsSpan(headerLength)),
            new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(quote.AsSpan(16))),
            BinaryPrimitives.ReadUInt16BigEndian(quote.AsSpan(headerLength + 2)));
    }

    [Theory]
    [InlineData(28)]     // the RFC 792 minimum: header + 8 bytes
    [InlineData(576 - 28)]  // what Linux quotes: as much as fits in 576 bytes
    [InlineData(29)]     // an odd length: the incremental ICMP checksum must not care
    public void FragmentationNeeded_FromTheClientSide_GoesToTheRealServer_AboutItsOwnAddressAndPort(int quoteLength)
    {
        var error = FragmentationNeededFromClientSide(quoteLength);

        var sent = _lab.FromClient(error).ToServer();

        var (type, code, rest, quote) = AssertIcmp(sent, NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.Client, NatLab.Rip(1));
        Assert.Equal((3, 4, Mtu1400), (type, code, rest));
        Assert.Equal(quoteLength, quote.Length);
        Assert.Equal((NatLab.Rip(1), NatLab.HttpRealPort, NatLab.Client, Port), Quoted(quote));
        // Past the ports the quote is untouched: sequence number and the quoted TCP checksum.
        var original = ReplyAsSent().AsSpan(14, quoteLength).ToArray();
        Assert.Equal(original[24..], quote[24..]);
        Assert.Equal(2, _lab.Engine.Stats.ForwardedToServers);   // the SYN and the error
    }

    [Theory]
    [InlineData(3, 28)]        // port unreachable
    [InlineData(4, 28)]        // fragmentation needed
    [InlineData(1, 100)]       // host unreachable, from a router on the private side
    public void AnUnreachable_FromThePrivateSide_GoesToTheClient_AboutTheVirtualService(byte code, int quoteLength)
    {
        var error = UnreachableFromServerSide(code, quoteLength);

        var sent = _lab.FromServer(error).ToClient();

        var (type, sentCode, rest, quote) = AssertIcmp(sent, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.Client);
        Assert.Equal((3, code, Mtu1400), (type, sentCode, rest));
        Assert.Equal((NatLab.Client, Port, NatLab.Vip, NatLab.HttpPort), Quoted(quote));
        var original = RequestAsForwarded().AsSpan(14, quoteLength).ToArray();
        Assert.Equal(original[24..], quote[24..]);
        Assert.Equal(1, _lab.Engine.Stats.ForwardedToClients);
    }

    [Fact]
    public void AnErrorAboutAUdpConnection_IsTranslatedToo()
    {
        var request = Wire.Udp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, 33333, NatLab.Vip, NatLab.DnsPort, Wire.Payload(40));
        _lab.FromClient(request).ToServer();   // the DNS service's own rr: server 1
        var forwarded = Wire.Udp(NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.Client, 33333, NatLab.Rip(1), NatLab.DnsRealPort, Wire.Payload(40), ttl: 63);
        var error = Wire.Icmp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.Client, 3, 3, 0, forwarded);

        var sent = _lab.FromServer(error).ToClient();

        var (_, _, _, quote) = AssertIcmp(sent, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.Client);
        Assert.Equal((NatLab.Client, (ushort)33333, NatLab.Vip, NatLab.DnsPort), Quoted(quote));
    }

    [Fact]
    public void AnErrorAboutNoConnection_FromTheClientSide_IsDropped()
    {
        _lab.FromClient(FragmentationNeededFromClientSide(clientPort: 41000))
            .AssertSilent(FrameVerdict.Dropped, DropReason.IcmpWithoutConnection);
    }

    [Fact]
    public void AnErrorAboutNoConnection_FromThePrivateSide_IsTheKernels()
    {
        _lab.FromServer(UnreachableFromServerSide(3, clientPort: 41000)).AssertSilent(FrameVerdict.LeftToKernel);
    }

    [Fact]
    public void AnErrorQuotingTooLittle_IsDroppedFromTheClientSide_AndTheKernelsFromThePrivateSide()
    {
        _lab.FromClient(FragmentationNeededFromClientSide(quoteLength: 27)).AssertSilent(FrameVerdict.Dropped, DropReason.TruncatedIcmpQuote);
        _lab.FromServer(UnreachableFromServerSide(3, quoteLength: 27)).AssertSilent(FrameVerdict.LeftToKernel);
    }

    [Fact]
    public void AnErrorWithABadIcmpChecksum_IsDropped_BothWays()
    {
        var fromClient = FragmentationNeededFromClientSide();
        fromClient[14 + 20 + 2] ^= 0x5A;
        _lab.FromClient(fromClient).AssertSilent(FrameVerdict.Dropped, DropReason.BadIcmpChecksum);

        var fromServer = UnreachableFromServerSide(3);
        fromServer[14 + 20 + 8 + 24] ^= 0x01;   // a corrupted quoted sequence number
        _lab.FromServer(fromServer).AssertSilent(FrameVerdict.Dropped, DropReason.BadIcmpChecksum);
    }

    [Theory]
    [InlineData(5, 1)]     // redirect for the host
    [InlineData(12, 0)]    // parameter problem
    public void ARedirectOrAParameterProblem_QuotingAConnection_IsTheKernels_BothWays(byte type, byte code)
    {
        // ip_vs_in_icmp / ip_vs_out_icmp relate only destination unreachable, source quench and time exceeded.
        _lab.FromClient(Wire.Icmp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, NatLab.Vip, type, code, 0, ReplyAsSent()))
            .AssertSilent(FrameVerdict.LeftToKernel);
        _lab.FromServer(Wire.Icmp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.Client, type, code, 0, RequestAsForwarded()))
            .AssertSilent(FrameVerdict.LeftToKernel);
    }

    [Fact]
    public void AnErrorQuotingALaterFragment_IsTheKernels_ItsPortsWouldBePayload()
    {
        static byte[] LaterFragment(byte[] frame) => frame.Also(f =>
        {
            f[14 + 6] = 0x00;
            f[14 + 7] = 0xB9;   // offset 185 * 8 bytes, no DF
            Reference.FixIpHeaderChecksum(f);
        });

        _lab.FromClient(Wire.Icmp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, NatLab.Vip, 3, 4, Mtu1400, LaterFragment(ReplyAsSent())))
            .AssertSilent(FrameVerdict.LeftToKernel);
        _lab.FromServer(Wire.Icmp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.Client, 3, 3, 0, LaterFragment(RequestAsForwarded())))
            .AssertSilent(FrameVerdict.LeftToKernel);
    }

    [Fact]
    public void AnErrorForAClientBehindAnUnresolvedGateway_IsDropped()
    {
        var syn = Wire.Tcp(NatLab.GatewayMac, NatLab.PublicMac, NatLab.RemoteClient, Port, NatLab.Vip, NatLab.HttpPort, TcpFlags.Syn);
        _lab.FromClient(syn).ToServer();   // rr: server 2
        var forwarded = Wire.Tcp(NatLab.PrivateMac, NatLab.ServerMac(2), NatLab.RemoteClient, Port, NatLab.Rip(2), NatLab.HttpRealPort, TcpFlags.Syn, ttl: 63);
        var error = Wire.Icmp(NatLab.ServerMac(2), NatLab.PrivateMac, NatLab.Rip(2), NatLab.RemoteClient, 3, 3, 0, forwarded);

        _lab.FromServer(error).AssertSilent(FrameVerdict.Dropped, DropReason.NeighbourUnresolved);
    }
}
