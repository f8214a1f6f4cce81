using System.Buffers.Binary;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// A view over a UDP datagram (RFC 768): source port(2) destination port(2) length(2) checksum(2).
/// TryParse checks what __udp4_lib_rcv checks: 8 bytes of header, 8 &lt;= length &lt;= IP payload.
/// A length shorter than the IP payload is accepted and the datagram trimmed to it, as the
/// kernel does (pskb_trim_rcsum); the checksum covers only those bytes. Checksum 0 means the
/// sender computed none.
/// </summary>
public readonly ref struct UdpHeader
{
    public const int HeaderLength = 8;
    public const int SourcePortOffset = 0;
    public const int DestinationPortOffset = 2;
    public const int ChecksumOffset = 6;

    private readonly Span<byte> _datagram;

    private UdpHeader(Span<byte> datagram) => _datagram = datagram;

    public static DropReason TryParse(Span<byte> ipPayload, out UdpHeader udp)
    {
        udp = default;
        if (ipPayload.Length < HeaderLength) return DropReason.TruncatedUdpHeader;
        int length = BinaryPrimitives.ReadUInt16BigEndian(ipPayload[4..]);
        if (length < HeaderLength || length > ipPayload.Length) return DropReason.BadUdpLength;
        udp = new UdpHeader(ipPayload[..length]);
        return DropReason.None;
    }

    /// <summary>Header and payload (UDP length bytes): what the checksum covers (with the pseudo-header).</summary>
    public Span<byte> Datagram => _datagram;

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_datagram);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_datagram[DestinationPortOffset..]);

    public ushort Length => BinaryPrimitives.ReadUInt16BigEndian(_datagram[4..]);

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_datagram[ChecksumOffset..]);

    /// <summary>False when the sender left the checksum at 0 ("none").</summary>
    public bool HasChecksum => Checksum != 0;

    public Span<byte> Payload => _datagram[HeaderLength..];
}
