using System.Buffers.Binary;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// A view over an IPv4 header and the packet it starts (RFC 791):
///
///   0  version(4) IHL(4) | DSCP(6) ECN(2) | total length(16)
///   4  identification(16) | flags(3: 0 DF MF) fragment offset(13, in 8-byte units)
///   8  TTL(8) | protocol(8) | header checksum(16)
///   12 source address   16 destination address   20 options (IHL*4 - 20 bytes)
///
/// TryParse checks what ip_rcv_core checks before netfilter (and so IPVS) ever sees a packet:
/// length >= 20, version 4, IHL >= 5, header within the bytes, total length within the bytes and
/// not below the header, and the header checksum. IPVS itself does not verify the header checksum
/// on forward because the kernel already dropped such packets; here AF_PACKET hands us frames
/// before ip_rcv, so the forwarder must do it, or a corrupt header would be scheduled (creating a
/// connection entry and counting against a real server) and forwarded with a checksum that an
/// incremental update keeps wrong. It costs one pass over 20 bytes.
/// The payload is trimmed to the total length, so Ethernet padding never reaches TCP/UDP sums.
/// Fragments parse fine (<see cref="IsFragment"/>); whether to drop them is the caller's rule.
/// </summary>
public readonly ref struct Ipv4Header
{
    public const int MinimumHeaderLength = 20;
    public const int ChecksumOffset = 10;
    public const int SourceOffset = 12;
    public const int DestinationOffset = 16;

    private readonly Span<byte> _packet;   // header + payload, trimmed to the total length (or to what an ICMP error quotes)
    private readonly int _headerLength;

    private Ipv4Header(Span<byte> packet, int headerLength)
    {
        _packet = packet;
        _headerLength = headerLength;
    }

    /// <summary>Validates a received packet (the Ethernet payload, padding allowed) and returns the view.</summary>
    public static DropReason TryParse(Span<byte> packet, out Ipv4Header ip)
    {
        ip = default;
        var reason = CheckHeader(packet, out int headerLength);
        if (reason != DropReason.None) return reason;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (totalLength < headerLength) return DropReason.TotalLengthBelowHeader;
        if (totalLength > packet.Length) return DropReason.TotalLengthExceedsFrame;
        if (!Checksum.Verify(packet[..headerLength])) return DropReason.BadIpv4HeaderChecksum;
        ip = new Ipv4Header(packet[..totalLength], headerLength);
        return DropReason.None;
    }

    /// <summary>
    /// Reads the original datagram's header quoted in an ICMP error: only the header and the first
    /// bytes of its payload are present, so the total length may exceed them (the view's payload is
    /// what is there, up to the total length), and its checksum is not verified (it was valid when
    /// the datagram was sent; the ICMP checksum covers it now).
    /// </summary>
    internal static DropReason TryParseQuoted(Span<byte> quoted, out Ipv4Header ip)
    {
        ip = default;
        var reason = CheckHeader(quoted, out int headerLength);
        if (reason != DropReason.None) return reason;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(quoted[2..]);
        if (totalLength < headerLength) return DropReason.TotalLengthBelowHeader;
        ip = new Ipv4Header(quoted[..Math.Min(totalLength, quoted.Length)], headerLength);
        return DropReason.None;
    }

    private static DropReason CheckHeader(Span<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < MinimumHeaderLength) return DropReason.TruncatedIpv4Header;
        if (packet[0] >> 4 != 4) return DropReason.BadIpv4Version;
        headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < MinimumHeaderLength) return DropReason.BadIhl;
        if (headerLength > packet.Length) return DropReason.TruncatedIpv4Header;
        return DropReason.None;
    }

    /// <summary>Header and payload, up to the total length.</summary>
    public Span<byte> Bytes => _packet;

    /// <summary>The header with its options (IHL*4 bytes).</summary>
    public Span<byte> Header => _packet[.._headerLength];

    public int Version => _packet[0] >> 4;

    /// <summary>The IHL field: header length in 32-bit words (5..15).</summary>
    public int Ihl => _packet[0] & 0x0F;

    public int HeaderLength => _headerLength;

    public byte Dscp => (byte)(_packet[1] >> 2);

    public byte Ecn => (byte)(_packet[1] & 0x03);

    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_packet[2..]);

    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_packet[4..]);

    private ushort FlagsAndOffset => BinaryPrimitives.ReadUInt16BigEndian(_packet[6..]);

    public bool DontFragment => (FlagsAndOffset & 0x4000) != 0;

    public bool MoreFragments => (FlagsAndOffset & 0x2000) != 0;

    /// <summary>The fragment offset field in 8-byte units (multiply by 8 for bytes).</summary>
    public ushort FragmentOffset => (ushort)(FlagsAndOffset & 0x1FFF);

    /// <summary>Part of a fragmented datagram: MF set or a non-zero offset (ip_is_fragment).</summary>
    public bool IsFragment => (FlagsAndOffset & 0x3FFF) != 0;

    public byte Ttl => _packet[8];

    public byte Protocol => _packet[9];

    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_packet[ChecksumOffset..]);

    public IPv4Address Source => new(BinaryPrimitives.ReadUInt32BigEndian(_packet[SourceOffset..]));

    public IPv4Address Destination => new(BinaryPrimitives.ReadUInt32BigEndian(_packet[DestinationOffset..]));

    /// <summary>The options (IHL*4 - 20 bytes, empty without options).</summary>
    public Span<byte> Options => _packet[MinimumHeaderLength.._headerLength];

    /// <summary>The transport header and data, trimmed to the total length.</summary>
    public Span<byte> Payload => _packet[_headerLength..];
}
