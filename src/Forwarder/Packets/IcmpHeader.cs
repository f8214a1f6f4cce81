using System.Buffers.Binary;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// A view over an ICMPv4 message (RFC 792): type(1) code(1) checksum(2) rest of header(4) body.
/// For the error messages (destination unreachable 3, source quench 4, redirect 5, time exceeded
/// 11, parameter problem 12) the body quotes the offending datagram's IPv4 header and at least
/// the first 8 bytes of its transport header: <see cref="TryGetQuote"/> returns that as a nested
/// view, which is how IPVS (ip_vs_in_icmp / ip_vs_out_icmp) finds the connection an error belongs
/// to. IPVS relates only types 3, 4 and 11 to connections; the caller picks.
/// The checksum covers the whole message and is checked on demand (<see cref="IsChecksumValid"/>),
/// as IPVS does with ip_vs_checksum_complete before it trusts a quote.
/// </summary>
public readonly ref struct IcmpHeader
{
    public const int HeaderLength = 8;
    public const int ChecksumOffset = 2;

    public const byte EchoReply = 0;
    public const byte DestinationUnreachable = 3;
    public const byte SourceQuench = 4;
    public const byte Redirect = 5;
    public const byte EchoRequest = 8;
    public const byte TimeExceeded = 11;
    public const byte ParameterProblem = 12;

    /// <summary>Destination unreachable code 4: fragmentation needed and DF set (path MTU discovery).</summary>
    public const byte FragmentationNeeded = 4;

    private readonly Span<byte> _message;

    private IcmpHeader(Span<byte> message) => _message = message;

    /// <summary>Validates an ICMP message (the IP payload, already trimmed to the total length).</summary>
    public static DropReason TryParse(Span<byte> ipPayload, out IcmpHeader icmp)
    {
        icmp = default;
        if (ipPayload.Length < HeaderLength) return DropReason.TruncatedIcmp;
        icmp = new IcmpHeader(ipPayload);
        return DropReason.None;
    }

    /// <summary>The whole message: what the checksum covers (no pseudo-header for ICMPv4).</summary>
    public Span<byte> Message => _message;

    public byte Type => _message[0];

    public byte Code => _message[1];

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_message[ChecksumOffset..]);

    /// <summary>Bytes 4..7: identifier and sequence for echo, next-hop MTU for fragmentation needed, unused otherwise.</summary>
    public uint RestOfHeader => BinaryPrimitives.ReadUInt32BigEndian(_message[4..]);

    public Span<byte> Body => _message[HeaderLength..];

    public bool IsError => Type is DestinationUnreachable or SourceQuench or Redirect or TimeExceeded or ParameterProblem;

    /// <summary>
    /// The errors IPVS relates to a connection (ip_vs_in_icmp / ip_vs_out_icmp): destination
    /// unreachable, source quench and time exceeded. A redirect or a parameter problem is the
    /// receiving host's business, not the connection's.
    /// </summary>
    public bool IsConnectionError => Type is DestinationUnreachable or SourceQuench or TimeExceeded;

    public bool IsChecksumValid => Packets.Checksum.Verify(_message);

    /// <summary>For an error message: the quoted datagram's header and first transport bytes.</summary>
    public DropReason TryGetQuote(out IcmpQuote quote)
    {
        quote = default;
        if (!IsError) return DropReason.BadIcmpQuote;
        var body = Body;
        if (body.Length < Ipv4Header.MinimumHeaderLength + IcmpQuote.TransportLength) return DropReason.TruncatedIcmpQuote;
        var reason = Ipv4Header.TryParseQuoted(body, out var ip);
        if (reason is DropReason.TruncatedIpv4Header) return DropReason.TruncatedIcmpQuote;
        if (reason != DropReason.None) return DropReason.BadIcmpQuote;
        if (ip.Payload.Length < IcmpQuote.TransportLength) return DropReason.TruncatedIcmpQuote;
        quote = new IcmpQuote(ip);
        return DropReason.None;
    }
}

/// <summary>
/// The datagram an ICMP error quotes: its IPv4 header (options included) and the first 8 bytes of
/// its transport header, which hold both ports for TCP and UDP. The quoted packet travelled the
/// other way, so an error about a packet client -> real server quotes source = client.
/// </summary>
public readonly ref struct IcmpQuote
{
    /// <summary>RFC 792 guarantees 8 bytes of the original transport header.</summary>
    public const int TransportLength = 8;

    internal IcmpQuote(Ipv4Header ip) => Ip = ip;

    public Ipv4Header Ip { get; }

    /// <summary>The first 8 bytes of the quoted transport header (ports, then TCP seq or UDP length and checksum).</summary>
    public Span<byte> Transport => Ip.Payload[..TransportLength];

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(Transport);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(Transport[2..]);
}
