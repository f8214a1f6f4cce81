using System.Buffers.Binary;

namespace UserLvs.Forwarder.Packets;

/// <summary>TCP header flags (the low byte of the flags field, RFC 793 and RFC 3168).</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
}

/// <summary>
/// A view over a TCP segment (RFC 793): ports(2+2) seq(4) ack(4) data offset(4 bits) flags window(2)
/// checksum(2) urgent(2) options. TryParse checks what tcp_v4_rcv checks before looking up a
/// socket: at least 20 bytes, data offset >= 5 words and within the segment. The segment is the
/// IP payload (already trimmed to the IP total length); its checksum covers all of it.
/// IPVS's connection state machine reads only the ports and SYN/ACK/FIN/RST.
/// </summary>
public readonly ref struct TcpHeader
{
    public const int MinimumHeaderLength = 20;
    public const int SourcePortOffset = 0;
    public const int DestinationPortOffset = 2;
    public const int ChecksumOffset = 16;

    private readonly Span<byte> _segment;

    private TcpHeader(Span<byte> segment) => _segment = segment;

    public static DropReason TryParse(Span<byte> segment, out TcpHeader tcp)
    {
        tcp = default;
        if (segment.Length < MinimumHeaderLength) return DropReason.TruncatedTcpHeader;
        int headerLength = (segment[12] >> 4) * 4;
        if (headerLength < MinimumHeaderLength || headerLength > segment.Length) return DropReason.BadTcpDataOffset;
        tcp = new TcpHeader(segment);
        return DropReason.None;
    }

    /// <summary>Header and payload: what the checksum covers (with the pseudo-header).</summary>
    public Span<byte> Segment => _segment;

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_segment);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_segment[DestinationPortOffset..]);

    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[4..]);

    public uint AcknowledgmentNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[8..]);

    /// <summary>Header length in 32-bit words (5..15).</summary>
    public int DataOffset => _segment[12] >> 4;

    public int HeaderLength => DataOffset * 4;

    public TcpFlags Flags => (TcpFlags)_segment[13];

    public bool Syn => (Flags & TcpFlags.Syn) != 0;

    public bool Ack => (Flags & TcpFlags.Ack) != 0;

    public bool Fin => (Flags & TcpFlags.Fin) != 0;

    public bool Rst => (Flags & TcpFlags.Rst) != 0;

    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_segment[14..]);

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_segment[ChecksumOffset..]);

    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_segment[18..]);

    public Span<byte> Options => _segment[MinimumHeaderLength..HeaderLength];

    public Span<byte> Payload => _segment[HeaderLength..];
}
