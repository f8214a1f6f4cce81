using CsCheck;
using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.Sync;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Sync;

/// <summary>
/// The sync datagram's payload: a versioned 8-byte header and fixed 28-byte records in network
/// order, at most 49 records (1380 bytes, inside a 1400-byte datagram). The decoder gives back exactly
/// what was encoded, and refuses anything else whole with its reason, never with an exception.
/// </summary>
public sealed class ConnectionSyncBatchTests
{
    private static readonly ConnectionSyncRecord Established = new(ConnectionSyncKind.Connection, Protocol.Tcp, TcpState.Established,
        IPv4Address.Parse("192.0.2.100"), 40001, IPv4Address.Parse("192.0.2.10"), 80, IPv4Address.Parse("10.0.0.11"), 8080, 900_000);

    private static readonly ConnectionSyncRecord Template = new(ConnectionSyncKind.Template, Protocol.Udp, TcpState.None,
        IPv4Address.Parse("198.51.100.0"), 0, IPv4Address.Parse("192.0.2.10"), 53, IPv4Address.Parse("10.0.0.12"), 5353, 300_000);

    private static byte[] Encode(params ConnectionSyncRecord[] records)
    {
        var buffer = new byte[ConnectionSyncBatch.SizeOf(records.Length)];
        Assert.Equal(buffer.Length, ConnectionSyncBatch.Encode(records, buffer));
        return buffer;
    }

    private static SyncDecodeStatus Decode(byte[] payload, out ConnectionSyncRecord[] records)
    {
        var buffer = new ConnectionSyncRecord[ConnectionSyncBatch.MaxRecords];
        var status = ConnectionSyncBatch.TryDecode(payload, buffer, out int count);
        records = buffer[..count];
        return status;
    }

    [Fact]
    public void ABatch_IsTheHeaderThenTheRecords_InNetworkOrder_ByteForByte()
    {
        byte[] expected =
        [
            1, 0, 0, 2, 0, 28, 0, 0,                          // version 1, 2 records of 28 bytes
            0, 6, 1, 0,   0x9c, 0x41, 0x00, 0x50,             // connection, TCP, ESTABLISHED; cport 40001, vport 80
            0x1f, 0x90, 0, 0,   192, 0, 2, 100,               // dport 8080; caddr
            192, 0, 2, 10,   10, 0, 0, 11,                    // vaddr, daddr
            0x00, 0x0d, 0xbb, 0xa0,                           // 900000 ms
            1, 17, 0, 0,   0, 0, 0, 53,                       // template, UDP; cport 0, vport 53
            0x14, 0xe9, 0, 0,   198, 51, 100, 0,              // dport 5353; the client network
            192, 0, 2, 10,   10, 0, 0, 12,
            0x00, 0x04, 0x93, 0xe0,                           // 300000 ms
        ];

        Assert.Equal(expected, Encode(Established, Template));
    }

    [Fact]
    public void TheLargestBatch_FitsA1400ByteDatagram_AndDecodesToWhatWasEncoded()
    {
        var records = Enumerable.Range(0, ConnectionSyncBatch.MaxRecords)
            .Select(i => Established with { ClientPort = (ushort)(1000 + i), State = (TcpState)(i % TcpStates.Count), TimeoutMilliseconds = (uint)i * 1000 })
            .ToArray();

        var payload = Encode(records);

        Assert.Equal(1380, payload.Length);
        Assert.True(ConnectionSyncBatch.MaxSize <= 1400);
        Assert.Equal(SyncDecodeStatus.Ok, Decode(payload, out var decoded));
        Assert.Equal(records, decoded);
    }

    [Fact]
    public void AnEmptyBatch_IsValid()
    {
        Assert.Equal(SyncDecodeStatus.Ok, Decode(Encode(), out var decoded));
        Assert.Empty(decoded);
    }

    [Fact]
    public void EncodingMoreThanABatchHolds_IsRefused()
    {
        var records = new ConnectionSyncRecord[ConnectionSyncBatch.MaxRecords + 1];
        Assert.Throws<ArgumentException>(() => ConnectionSyncBatch.Encode(records, new byte[4096]));
        Assert.Throws<ArgumentException>(() => ConnectionSyncBatch.Encode([Established], new byte[35]));
    }

    public static TheoryData<string, Func<byte[], byte[]>, SyncDecodeStatus> Damaged => new()
    {
        { "shorter than the header", p => p[..7], SyncDecodeStatus.TooShort },
        { "version 2", p => p.Also(b => b[0] = 2), SyncDecodeStatus.BadVersion },
        { "version 0", p => p.Also(b => b[0] = 0), SyncDecodeStatus.BadVersion },
        { "reserved header byte", p => p.Also(b => b[1] = 1), SyncDecodeStatus.BadReserved },
        { "record size 27", p => p.Also(b => b[5] = 27), SyncDecodeStatus.BadRecordSize },
        { "one byte missing", p => p[..^1], SyncDecodeStatus.LengthMismatch },
        { "one byte too many", p => [.. p, 0], SyncDecodeStatus.LengthMismatch },
        { "count says 3", p => p.Also(b => b[3] = 3), SyncDecodeStatus.LengthMismatch },
        { "count says 50", p => p.Also(b => b[3] = 50), SyncDecodeStatus.TooManyRecords },
        { "kind 2", p => p.Also(b => b[8 + 28] = 2), SyncDecodeStatus.BadKind },
        { "protocol ICMP", p => p.Also(b => b[8 + 1] = 1), SyncDecodeStatus.BadProtocol },
        { "TCP state 11", p => p.Also(b => b[8 + 2] = 11), SyncDecodeStatus.BadState },
        { "a state on a template", p => p.Also(b => b[8 + 28 + 2] = 1), SyncDecodeStatus.BadState },
        { "a state on UDP", p => p.Also(b => { b[8 + 28] = 0; b[8 + 28 + 2] = 1; }), SyncDecodeStatus.BadState },
        { "reserved record byte", p => p.Also(b => b[8 + 3] = 1), SyncDecodeStatus.BadReserved },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void ADamagedBatch_IsRefusedWhole_WithItsReason(string description, Func<byte[], byte[]> damage, SyncDecodeStatus reason)
    {
        var payload = damage(Encode(Established, Template));

        Assert.True(reason == Decode(payload, out var decoded), description);
        Assert.Empty(decoded);
    }

    [Fact]
    public void ABufferTooSmallForTheAnnouncedRecords_IsRefused()
    {
        var status = ConnectionSyncBatch.TryDecode(Encode(Established, Template), new ConnectionSyncRecord[1], out int count);
        Assert.Equal((SyncDecodeStatus.TooManyRecords, 0), (status, count));
    }

    [Fact]
    public void AnyBytes_DecodeToAResult_NeverAnException()
    {
        var records = new ConnectionSyncRecord[ConnectionSyncBatch.MaxRecords];
        // Random bytes, and valid batches with one random byte changed (to reach the record checks).
        Gen.Byte.Array[0, 1500].Sample(bytes => ConnectionSyncBatch.TryDecode(bytes, records, out _) >= SyncDecodeStatus.Ok, iter: 20_000);
        var valid = Encode(Established, Template, Established with { ClientPort = 1 });
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Sample((at, value) =>
        {
            var bytes = valid.ToArray();
            bytes[at] = value;
            var status = ConnectionSyncBatch.TryDecode(bytes, records, out int count);
            return status == SyncDecodeStatus.Ok ? count == 3 : count == 0;
        }, iter: 20_000);
    }
}

internal static class ByteArrayEdits
{
    public static byte[] Also(this byte[] bytes, Action<byte[]> edit)
    {
        edit(bytes);
        return bytes;
    }
}
