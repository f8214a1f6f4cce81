using System.Buffers.Binary;
using CsCheck;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// Whatever arrives on either port, the pipeline returns a verdict, counts exactly one outcome and
/// never throws. Malformed frames that are ours (to a VIP on the public side, to the router's MAC on
/// the private side) are dropped with the reason the kernel's receive path would have had
/// (ip_rcv_core, tcp_v4_rcv, __udp4_lib_rcv); a public frame too short to name its destination
/// cannot be claimed and is the kernel's. The lab holds one connection (client:40001 to server 1)
/// so that the private-side frames are replies that would otherwise be forwarded.
/// </summary>
public sealed class NatMalformedFrameTests : IDisposable
{
    private const ushort Port = 40001;
    private readonly NatLab _lab = new();

    public NatMalformedFrameTests()
    {
        _lab.AddService(NatLab.Http);
        _lab.AddService(NatLab.Dns, realPort: NatLab.DnsRealPort);
        _lab.LearnServers();
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer();
    }

    public void Dispose()
    {
        Assert.True(_lab.Engine.Stats.IsBalanced);
        _lab.Dispose();
    }

    // Valid frames that the lab forwards, and the edits that break them.
    private static byte[] Syn() => Wire.ClientTcp(41000, TcpFlags.Syn, Wire.Payload(30));
    private static byte[] Reply() => Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack, Wire.Payload(30));
    private static byte[] UdpRequest() => Wire.Udp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, 33333, NatLab.Vip, NatLab.DnsPort, Wire.Payload(30));
    private static byte[] IcmpError() => Wire.Icmp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, NatLab.Vip, 3, 4, 1400,
        Wire.Tcp(NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, 80, NatLab.Client, Port, TcpFlags.Ack, Wire.Payload(100)));

    private static byte[] Cut(byte[] frame, int length) => frame[..length];

    /// <summary>Edits the IPv4 header (offset within it) and fixes its checksum, so only the edit is wrong.</summary>
    private static byte[] EditIp(byte[] frame, Action<Span<byte>> edit)
    {
        edit(frame.AsSpan(14));
        int headerLength = (frame[14] & 0x0F) * 4;
        if (headerLength >= 20 && 14 + headerLength <= frame.Length) Reference.FixIpHeaderChecksum(frame);
        return frame;
    }

    /// <summary>Recomputes the ICMP checksum over the message (to the IP total length), so only the edit is wrong.</summary>
    private static byte[] FixIcmp(byte[] frame)
    {
        int end = Math.Min(frame.Length, 14 + BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(16)));
        var message = frame.AsSpan(34, end - 34);
        if (message.Length < 4) return frame;
        message[2] = message[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], Reference.Checksum(message));
        return frame;
    }

    private static byte[] TotalLength(byte[] frame, int totalLength) =>
        EditIp(frame, ip => BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)totalLength));

    private static byte[] Transport(byte[] frame, int offset, byte value)
    {
        frame[34 + offset] = value;
        return frame;
    }

    private static byte[] UdpLength(byte[] frame, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34 + 4), (ushort)length);
        return frame;
    }

    public static TheoryData<string, byte[], FrameVerdict, DropReason> FromClients => new()
    {
        { "empty frame", [], FrameVerdict.Dropped, DropReason.TruncatedEthernet },
        { "5 bytes", Cut(Syn(), 5), FrameVerdict.Dropped, DropReason.TruncatedEthernet },
        { "13 bytes", Cut(Syn(), 13), FrameVerdict.Dropped, DropReason.TruncatedEthernet },
        { "802.1Q tag announced, 16 bytes", Cut(Syn().Also(f => { f[12] = 0x81; f[13] = 0x00; }), 16), FrameVerdict.Dropped, DropReason.TruncatedEthernet },
        { "Ethernet header only: no destination to claim", Cut(Syn(), 14), FrameVerdict.LeftToKernel, DropReason.None },
        { "cut inside the IPv4 header: no destination to claim", Cut(Syn(), 33), FrameVerdict.LeftToKernel, DropReason.None },
        { "cut after the IPv4 header", Cut(Syn(), 34), FrameVerdict.Dropped, DropReason.TotalLengthExceedsFrame },
        { "cut inside the TCP header", Cut(Syn(), 40), FrameVerdict.Dropped, DropReason.TotalLengthExceedsFrame },
        { "cut inside the payload", Cut(Syn(), 80), FrameVerdict.Dropped, DropReason.TotalLengthExceedsFrame },
        { "one byte short", Cut(Syn(), Syn().Length - 1), FrameVerdict.Dropped, DropReason.TotalLengthExceedsFrame },
        { "IHL 0", EditIp(Syn(), ip => ip[0] = 0x40), FrameVerdict.Dropped, DropReason.BadIhl },
        { "IHL 4", EditIp(Syn(), ip => ip[0] = 0x44), FrameVerdict.Dropped, DropReason.BadIhl },
        { "IHL 15 in a 20-byte packet", EditIp(Cut(Syn(), 54).Also(f => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 40)), ip => ip[0] = 0x4F),
            FrameVerdict.Dropped, DropReason.TruncatedIpv4Header },
        { "version 6 behind an IPv4 EtherType", EditIp(Syn(), ip => ip[0] = 0x65), FrameVerdict.Dropped, DropReason.BadIpv4Version },
        { "total length beyond the frame", TotalLength(Syn(), 20 + 20 + 31), FrameVerdict.Dropped, DropReason.TotalLengthExceedsFrame },
        { "total length below the header", TotalLength(Syn(), 19), FrameVerdict.Dropped, DropReason.TotalLengthBelowHeader },
        { "corrupt header checksum", Syn().Also(f => f[24] ^= 0x40), FrameVerdict.Dropped, DropReason.BadIpv4HeaderChecksum },
        { "first fragment (MF)", EditIp(Syn(), ip => ip[6] |= 0x20), FrameVerdict.Dropped, DropReason.Fragment },
        { "later fragment (offset)", EditIp(Syn(), ip => ip[7] = 0x10), FrameVerdict.Dropped, DropReason.Fragment },
        { "TCP header of 10 bytes", TotalLength(Cut(Syn(), 44), 30), FrameVerdict.Dropped, DropReason.TruncatedTcpHeader },
        { "TCP data offset 4", Transport(Syn(), 12, 0x40), FrameVerdict.Dropped, DropReason.BadTcpDataOffset },
        { "TCP data offset past the segment", Transport(Syn(), 12, 0xF0), FrameVerdict.Dropped, DropReason.BadTcpDataOffset },
        { "UDP header of 6 bytes", TotalLength(Cut(UdpRequest(), 40), 26), FrameVerdict.Dropped, DropReason.TruncatedUdpHeader },
        { "UDP length longer than the packet", UdpLength(UdpRequest(), 8 + 31), FrameVerdict.Dropped, DropReason.BadUdpLength },
        { "UDP length below its header", UdpLength(UdpRequest(), 7), FrameVerdict.Dropped, DropReason.BadUdpLength },
        { "ICMP of 4 bytes", FixIcmp(TotalLength(Cut(IcmpError(), 38), 24)), FrameVerdict.Dropped, DropReason.TruncatedIcmp },
        { "ICMP error quoting 20 bytes", FixIcmp(TotalLength(Cut(IcmpError(), 62), 48)), FrameVerdict.Dropped, DropReason.TruncatedIcmpQuote },
        { "ICMP error quoting a non-IPv4 header", FixIcmp(IcmpError().Also(f => f[42] = 0x65)), FrameVerdict.Dropped, DropReason.BadIcmpQuote },
        { "ARP cut to 20 bytes", Cut(Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast, NatLab.ClientMac, NatLab.Client,
            MacAddress.Zero, NatLab.Vip), 34), FrameVerdict.Dropped, DropReason.TruncatedArp },
        { "ARP for another hardware type", Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast, NatLab.ClientMac, NatLab.Client,
            MacAddress.Zero, NatLab.Vip).Also(f => f[15] = 6), FrameVerdict.Dropped, DropReason.UnsupportedArp },
    };

    public static TheoryData<string, byte[], FrameVerdict, DropReason> FromServers => new()
    {
        { "13 bytes", Cut(Reply(), 13), FrameVerdict.Dropped, DropReason.TruncatedEthernet },
        { "cut inside the IPv4 header", Cut(Reply(), 33), FrameVerdict.Dropped, DropReason.TruncatedIpv4Header },
        { "Ethernet header only", Cut(Reply(), 14), FrameVerdict.Dropped, DropReason.TruncatedIpv4Header },
        { "cut inside the TCP header", Cut(Reply(), 40), FrameVerdict.Dropped, DropReason.TotalLengthExceedsFrame },
        { "IHL 3", EditIp(Reply(), ip => ip[0] = 0x43), FrameVerdict.Dropped, DropReason.BadIhl },
        { "total length beyond the frame", TotalLength(Reply(), 200), FrameVerdict.Dropped, DropReason.TotalLengthExceedsFrame },
        { "corrupt header checksum", Reply().Also(f => f[25] ^= 0x01), FrameVerdict.Dropped, DropReason.BadIpv4HeaderChecksum },
        { "a fragment of the connection's reply", EditIp(Reply(), ip => ip[6] |= 0x20), FrameVerdict.Dropped, DropReason.Fragment },
        { "TCP data offset 2", Transport(Reply(), 12, 0x20), FrameVerdict.Dropped, DropReason.BadTcpDataOffset },
        { "TCP header of 19 bytes", TotalLength(Cut(Reply(), 53), 39), FrameVerdict.Dropped, DropReason.TruncatedTcpHeader },
        { "UDP length that lies", UdpLength(Wire.Udp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.DnsRealPort, NatLab.Client, 33333,
            Wire.Payload(30)), 100), FrameVerdict.Dropped, DropReason.BadUdpLength },
        { "ICMP of 7 bytes", FixIcmp(TotalLength(Cut(Wire.Icmp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.Client, 3, 3, 0, Reply()), 41), 27)),
            FrameVerdict.Dropped, DropReason.TruncatedIcmp },
        { "a fragment of another flow through the router", EditIp(Wire.ServerTcp(1, 41000, TcpFlags.Ack), ip => ip[6] |= 0x20), FrameVerdict.Dropped, DropReason.Fragment },
        { "a fragment for the NAT router itself", EditIp(Wire.ServerTcp(1, 41000, TcpFlags.Ack, client: NatLab.NatRouter), ip => ip[7] = 0x10),
            FrameVerdict.LeftToKernel, DropReason.None },
    };

    [Theory]
    [MemberData(nameof(FromClients))]
    public void FromTheClientSide(string description, byte[] frame, FrameVerdict verdict, DropReason reason)
    {
        var outcome = _lab.FromClient(frame);
        Assert.True((verdict, reason) == (outcome.Verdict, outcome.Reason), $"{description}: {outcome.Verdict} {outcome.Reason}");
        outcome.AssertSilent(verdict, reason);
    }

    [Theory]
    [MemberData(nameof(FromServers))]
    public void FromTheServerSide(string description, byte[] frame, FrameVerdict verdict, DropReason reason)
    {
        var outcome = _lab.FromServer(frame);
        Assert.True((verdict, reason) == (outcome.Verdict, outcome.Reason), $"{description}: {outcome.Verdict} {outcome.Reason}");
        outcome.AssertSilent(verdict, reason);
        Assert.Equal("SYN_RECV", _lab.ConnectionOf(Port).StateName);
    }

    [Fact]
    public void AFrameTheBackendCut_IsDroppedAsTruncatedByBackend_BothWays()
    {
        using var lab = new NatLab(slotSize: 128);
        lab.AddService(NatLab.Http);
        lab.LearnServers();
        lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer();

        lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack, Wire.Payload(200))).AssertSilent(FrameVerdict.Dropped, DropReason.TruncatedByBackend);
        lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Ack, Wire.Payload(200))).AssertSilent(FrameVerdict.Dropped, DropReason.TruncatedByBackend);
        Assert.Equal(2, lab.Public.Counters.RxTruncated + lab.Private.Counters.RxTruncated);
    }

    [Fact]
    public void EthernetPaddingAfterAShortPacket_IsNotForwarded()
    {
        // A 54-byte SYN arrives padded to 60 bytes; the frame that leaves ends at the IP total length.
        var syn = Wire.ClientTcp(41000, TcpFlags.Syn);
        var padded = new byte[60];
        syn.CopyTo(padded, 0);
        padded.AsSpan(syn.Length).Fill(0xA5);

        var sent = _lab.FromClient(padded).ToServer();

        Assert.Equal(syn.Length, sent.Length);
        Wire.AssertToServer(sent, server: 2, 41000);
    }

    // ---- random frames: never an exception, always exactly one outcome ----

    private static readonly byte[][] Valid =
    [
        Syn(), Reply(), UdpRequest(), IcmpError(),
        Wire.ClientTcp(Port, TcpFlags.Ack, Wire.Payload(17)),
        Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast, NatLab.ClientMac, NatLab.Client, MacAddress.Zero, NatLab.Vip),
    ];

    private void Feed(byte[] frame, bool fromClient, RxFrameFlags flags)
    {
        var outcome = fromClient ? _lab.FromClient(frame, flags) : _lab.FromServer(frame, flags);
        Assert.True(Enum.IsDefined(outcome.Verdict));
        Assert.Equal(outcome.Verdict == FrameVerdict.Dropped, outcome.Reason != DropReason.None);
        if (outcome.Verdict != FrameVerdict.Forwarded && outcome.Verdict != FrameVerdict.Answered)
            Assert.True(outcome.Public.Count + outcome.Private.Count <= 1);   // at most an ARP request
    }

    [Fact]
    public void RandomBytes_OnBothPorts_AreAnsweredWithAVerdict()
    {
        Gen.Select(Gen.Byte.Array[0, 160], Gen.Bool, Gen.Bool).Sample((bytes, fromClient, partial) =>
            Feed(bytes, fromClient, partial ? RxFrameFlags.ChecksumNotReady : RxFrameFlags.None), iter: 5_000, threads: 1);
        Assert.True(_lab.Engine.Stats.IsBalanced);
    }

    [Fact]
    public void RandomBytesBehindAPlausibleHeader_OnBothPorts_AreAnsweredWithAVerdict()
    {
        // Ethernet to our MAC, IPv4 to the VIP (or the connection's reply), valid header checksum:
        // the random bytes reach the transport and ICMP parsers and the connection lookups.
        Gen.Select(Gen.Byte.Array[20, 120], Gen.Bool, Gen.Int[0, 2], Gen.Int[0, 15]).Sample((bytes, fromClient, protocol, ihl) =>
        {
            var frame = new byte[14 + bytes.Length];
            bytes.CopyTo(frame, 14);
            (fromClient ? NatLab.PublicMac : NatLab.PrivateMac).WriteTo(frame);
            frame[12] = 0x08;
            frame[13] = 0x00;
            frame[14] = (byte)(0x40 | Math.Max(5, Math.Min(ihl, bytes.Length / 4)));
            frame[14 + 6] &= 0x40;   // DF at most: not a fragment
            frame[14 + 7] = 0;
            frame[14 + 8] = 64;
            frame[14 + 9] = protocol switch { 0 => 6, 1 => 17, _ => 1 };
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), (ushort)bytes.Length);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(26), fromClient ? NatLab.Client.Value : NatLab.Rip(1).Value);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(30), fromClient ? NatLab.Vip.Value : NatLab.Client.Value);
            Reference.FixIpHeaderChecksum(frame);
            Feed(frame, fromClient, RxFrameFlags.None);
        }, iter: 5_000, threads: 1);
        Assert.True(_lab.Engine.Stats.IsBalanced);
    }

    [Fact]
    public void RandomCorruptionOfValidFrames_OnBothPorts_IsAnsweredWithAVerdict()
    {
        Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Int[0, 4_000].Array[1, 4], Gen.Byte.Array[4], Gen.Bool).Sample((which, positions, values, fromClient) =>
        {
            var frame = (byte[])Valid[which].Clone();
            for (int i = 0; i < positions.Length; i++) frame[positions[i] % frame.Length] = values[i];
            Feed(frame, fromClient, RxFrameFlags.None);
        }, iter: 5_000, threads: 1);
        Assert.True(_lab.Engine.Stats.IsBalanced);
    }
}
