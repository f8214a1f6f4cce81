using System.Buffers.Binary;
using System.Security.Cryptography;
using UserLvs.Scheduling;

namespace UserLvs.Failover.Protocol;

/// <summary>
/// Writes and reads pulse datagrams (<see cref="PulseWireFormat"/>) authenticated with
/// HMAC-SHA256 under the heartbeat key (the bytes of lvs.cf's heartbeat_key_file).
/// Reading never throws on bad input: it says why it refused. The MAC is compared in constant
/// time, and nothing past the version byte is trusted before the MAC checks out. Neither
/// direction allocates: the MAC goes to the stack, the payload is a slice of the datagram.
/// </summary>
public sealed class PulseCodec
{
    private readonly byte[] key;

    public PulseCodec(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0) throw new ArgumentException("the heartbeat key is empty", nameof(key));
        this.key = (byte[])key.Clone();
    }

    /// <summary>Writes one datagram into <paramref name="destination"/> and returns its length.</summary>
    public int Encode(in PulseHeader header, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (payload.Length > PulseWireFormat.MaxPayload)
            throw new ArgumentException($"a pulse payload holds at most {PulseWireFormat.MaxPayload} bytes", nameof(payload));
        int macAt = PulseWireFormat.HeaderLength + payload.Length;
        int total = macAt + PulseWireFormat.MacLength;
        if (destination.Length < total) throw new ArgumentException("destination is too small", nameof(destination));

        destination[0] = PulseWireFormat.Magic0;
        destination[1] = PulseWireFormat.Magic1;
        destination[2] = PulseWireFormat.Version;
        destination[PulseWireFormat.TypeOffset] = (byte)header.Type;
        destination[PulseWireFormat.StateOffset] = (byte)header.SenderState;
        destination[PulseWireFormat.FlagsOffset] = (byte)header.Flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[PulseWireFormat.LengthOffset..], (ushort)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[PulseWireFormat.SenderOffset..], header.Sender.Value);
        BinaryPrimitives.WriteUInt64BigEndian(destination[PulseWireFormat.BootOffset..], header.BootId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[PulseWireFormat.SequenceOffset..], header.Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[PulseWireFormat.TimestampOffset..], header.TimestampMs);
        payload.CopyTo(destination[PulseWireFormat.HeaderLength..]);
        HMACSHA256.HashData(key, destination[..macAt], destination.Slice(macAt, PulseWireFormat.MacLength));
        return total;
    }

    /// <summary>
    /// Reads and authenticates one datagram. On success <paramref name="payload"/> is a slice of
    /// <paramref name="datagram"/>; on failure <paramref name="reason"/> says why.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> datagram, out PulseHeader header, out ReadOnlySpan<byte> payload, out PulseDropReason reason)
    {
        header = default;
        payload = default;
        if (datagram.Length < PulseWireFormat.MinDatagram) return Refuse(PulseDropReason.Truncated, out reason);
        if (datagram[0] != PulseWireFormat.Magic0 || datagram[1] != PulseWireFormat.Magic1) return Refuse(PulseDropReason.BadMagic, out reason);
        if (datagram[2] != PulseWireFormat.Version) return Refuse(PulseDropReason.BadVersion, out reason);

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[PulseWireFormat.LengthOffset..]);
        int macAt = PulseWireFormat.HeaderLength + length;
        int total = macAt + PulseWireFormat.MacLength;
        if (datagram.Length < total) return Refuse(PulseDropReason.Truncated, out reason);
        if (datagram.Length > total || length > PulseWireFormat.MaxPayload) return Refuse(PulseDropReason.BadLength, out reason);

        Span<byte> mac = stackalloc byte[PulseWireFormat.MacLength];
        HMACSHA256.HashData(key, datagram[..macAt], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, datagram.Slice(macAt, PulseWireFormat.MacLength)))
            return Refuse(PulseDropReason.BadMac, out reason);

        var type = (PulseMessageType)datagram[PulseWireFormat.TypeOffset];
        if (type is < PulseMessageType.Heartbeat or > PulseMessageType.SyncBatch) return Refuse(PulseDropReason.BadType, out reason);
        if (length != 0 && type != PulseMessageType.SyncBatch) return Refuse(PulseDropReason.BadLength, out reason);
        var state = (RouterRole)datagram[PulseWireFormat.StateOffset];
        if (state is < RouterRole.Backup or > RouterRole.Shutdown) return Refuse(PulseDropReason.BadState, out reason);

        header = new PulseHeader(
            type,
            state,
            (PulseFlags)(datagram[PulseWireFormat.FlagsOffset] & (byte)(PulseFlags.Primary | PulseFlags.ForceActive)),
            new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(datagram[PulseWireFormat.SenderOffset..])),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[PulseWireFormat.BootOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[PulseWireFormat.SequenceOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(datagram[PulseWireFormat.TimestampOffset..]));
        payload = datagram.Slice(PulseWireFormat.HeaderLength, length);
        reason = default;
        return true;
    }

    private static bool Refuse(PulseDropReason why, out PulseDropReason reason)
    {
        reason = why;
        return false;
    }
}
