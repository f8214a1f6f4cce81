namespace UserLvs.Failover.Protocol;

/// <summary>
/// The pulse datagram, version 1, sent over UDP to heartbeat_port (539 by default). All integers
/// are big-endian.
/// <code>
///  offset size  field
///   0      2    magic "PL" (0x50 0x4C)
///   2      1    version (1)
///   3      1    type            PulseMessageType
///   4      1    sender state    RouterRole: 0 backup, 1 active, 2 shutdown
///   5      1    flags           bit 0 primary, bit 1 force-active
///   6      2    payload length  0 except for SyncBatch, at most 1400
///   8      4    sender address  its primary/backup address (or the _private one on that network)
///  12      8    boot id         random per start
///  20      8    sequence        1, 2, 3, ... per boot, one per datagram
///  28      8    timestamp       Unix milliseconds of the sender's wall clock
///  36      n    payload
///  36+n   32    HMAC-SHA256(key, bytes 0 .. 36+n)
/// </code>
/// The MAC covers everything before it, so a flipped bit anywhere is refused. A full SyncBatch is
/// 1468 bytes, which fits one 1500-byte Ethernet frame with its IP and UDP headers (1472).
/// </summary>
public static class PulseWireFormat
{
    public const byte Magic0 = (byte)'P';
    public const byte Magic1 = (byte)'L';
    public const byte Version = 1;
    public const int HeaderLength = 36;
    public const int MacLength = 32;
    public const int MaxPayload = 1400;
    public const int MinDatagram = HeaderLength + MacLength;
    public const int MaxDatagram = HeaderLength + MaxPayload + MacLength;

    internal const int TypeOffset = 3;
    internal const int StateOffset = 4;
    internal const int FlagsOffset = 5;
    internal const int LengthOffset = 6;
    internal const int SenderOffset = 8;
    internal const int BootOffset = 12;
    internal const int SequenceOffset = 20;
    internal const int TimestampOffset = 28;
}
