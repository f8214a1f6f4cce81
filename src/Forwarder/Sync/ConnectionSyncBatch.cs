using System.Buffers.Binary;

namespace UserLvs.Forwarder.Sync;

/// <summary>
/// The payload of one sync datagram (pulse's SyncBatch message carries it opaquely): a versioned
/// header and up to <see cref="MaxRecords"/> fixed-size records, so a batch fits a 1400-byte UDP
/// payload with room for the transport's own header and HMAC.
///
///   0  version(1)=1  reserved(1)=0  count(2)  record size(2)=28  reserved(2)=0
///   8  count * <see cref="ConnectionSyncRecord"/>
///
/// IPVS's version-1 sync message has the same shape (header with a count and size, then records);
/// here every record has one size, so the length check is exact: 8 + count * 28. A batch with any
/// malformed record is refused whole, with the reason: the transport authenticates every datagram,
/// so a bad record means a peer of another version, and half-applying its batch helps nobody.
/// </summary>
public static class ConnectionSyncBatch
{
    public const byte Version = 1;
    public const int HeaderSize = 8;

    /// <summary>Records per batch: 8 + 49 * 28 = 1380 bytes.</summary>
    public const int MaxRecords = 49;

    /// <summary>The largest encoded batch.</summary>
    public const int MaxSize = HeaderSize + MaxRecords * ConnectionSyncRecord.Size;

    /// <summary>The encoded size of a batch of <paramref name="records"/> records.</summary>
    public static int SizeOf(int records) => HeaderSize + records * ConnectionSyncRecord.Size;

    /// <summary>Encodes <paramref name="records"/> (at most <see cref="MaxRecords"/>) into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<ConnectionSyncRecord> records, Span<byte> destination)
    {
        if (records.Length > MaxRecords)
            throw new ArgumentException($"a batch holds at most {MaxRecords} records", nameof(records));
        int size = SizeOf(records.Length);
        if (destination.Length < size)
            throw new ArgumentException($"a batch of {records.Length} records needs {size} bytes", nameof(destination));
        destination[0] = Version;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)records.Length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], ConnectionSyncRecord.Size);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        for (int i = 0; i < records.Length; i++)
            records[i].WriteTo(destination[(HeaderSize + i * ConnectionSyncRecord.Size)..]);
        return size;
    }

    /// <summary>
    /// Decodes a batch into <paramref name="records"/>; on anything but <see cref="SyncDecodeStatus.Ok"/>
    /// <paramref name="count"/> is 0 and nothing may be applied.
    /// </summary>
    public static SyncDecodeStatus TryDecode(ReadOnlySpan<byte> payload, Span<ConnectionSyncRecord> records, out int count)
    {
        count = 0;
        if (payload.Length < HeaderSize) return SyncDecodeStatus.TooShort;
        if (payload[0] != Version) return SyncDecodeStatus.BadVersion;
        if (payload[1] != 0 || BinaryPrimitives.ReadUInt16BigEndian(payload[6..]) != 0) return SyncDecodeStatus.BadReserved;
        if (BinaryPrimitives.ReadUInt16BigEndian(payload[4..]) != ConnectionSyncRecord.Size) return SyncDecodeStatus.BadRecordSize;
        int announced = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
        if (announced > MaxRecords || announced > records.Length) return SyncDecodeStatus.TooManyRecords;
        if (payload.Length != SizeOf(announced)) return SyncDecodeStatus.LengthMismatch;
        for (int i = 0; i < announced; i++)
        {
            var status = ConnectionSyncRecord.TryRead(payload[(HeaderSize + i * ConnectionSyncRecord.Size)..], out records[i]);
            if (status != SyncDecodeStatus.Ok) return status;
        }
        count = announced;
        return SyncDecodeStatus.Ok;
    }
}
