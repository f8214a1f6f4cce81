using System.Security.Cryptography;
using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;
using UserLvs.Scheduling;
using UserLvs.Tests.Shared;

namespace UserLvs.Failover.Tests.Protocol;

public class PulseCodecTests
{
    private static readonly byte[] Key = "pulse-test-key"u8.ToArray();

    private static readonly PulseHeader Heartbeat = new(
        PulseMessageType.Heartbeat, RouterRole.Backup, PulseFlags.None,
        IPv4Address.Parse("10.0.0.2"), BootId: 0x0123456789ABCDEF, Sequence: 42, TimestampMs: 1_750_000_000_000);

    private static byte[] Encode(PulseHeader header, byte[]? payload = null, byte[]? key = null)
    {
        var buffer = new byte[PulseWireFormat.MaxDatagram];
        int n = new PulseCodec(key ?? Key).Encode(header, payload ?? [], buffer);
        return buffer[..n];
    }

    private static PulseDropReason Refusal(byte[] datagram, byte[]? key = null)
    {
        Assert.False(new PulseCodec(key ?? Key).TryDecode(datagram, out _, out _, out var reason));
        return reason;
    }

    [Fact]
    public void Encode_Heartbeat_GoldenBytes()
    {
        // magic PL, version 1, type 1, state 0 (backup), flags 0, length 0, 10.0.0.2, boot, seq 42,
        // 1750000000000 ms, then HMAC-SHA256 under "pulse-test-key" (the MAC as Python's hmac module computes it).
        Assert.Equal(
            "504c010100000000" + "0a000002" + "0123456789abcdef" + "000000000000002a" + "000001977420dc00" +
            "1cb00f2a193710a501b0bc76ece7aab2f4e0c40772f554e7120d58537764c2ae",
            Convert.ToHexStringLower(Encode(Heartbeat)));
    }

    [Fact]
    public void Encode_MacIsHmacSha256OfEverythingBefore()
    {
        var bytes = Encode(Heartbeat with { Type = PulseMessageType.SyncBatch }, payload: [1, 2, 3]);
        Assert.Equal(PulseWireFormat.HeaderLength + 3 + 32, bytes.Length);
        Assert.Equal(HMACSHA256.HashData(Key, bytes[..^32]), bytes[^32..]);
    }

    [Fact]
    public void Decode_RoundTripsEveryField()
    {
        var sent = new PulseHeader(PulseMessageType.SyncBatch, RouterRole.Active, PulseFlags.Primary | PulseFlags.ForceActive,
            IPv4Address.Parse("192.168.100.1"), ulong.MaxValue, 7, -5);
        byte[] payload = [.. Enumerable.Range(0, PulseWireFormat.MaxPayload).Select(i => (byte)i)];
        var bytes = Encode(sent, payload);

        Assert.Equal(PulseWireFormat.MaxDatagram, bytes.Length);
        Assert.True(new PulseCodec(Key).TryDecode(bytes, out var header, out var got, out _));
        Assert.Equal(sent, header);
        Assert.Equal(payload, got.ToArray());
    }

    [Fact]
    public void Decode_WrongKey_BadMac() =>
        Assert.Equal(PulseDropReason.BadMac, Refusal(Encode(Heartbeat), key: "other-key"u8.ToArray()));

    [Fact]
    public void Decode_AnyFlippedBitAfterTheVersion_BadMac()
    {
        var good = Encode(Heartbeat);
        for (int bit = 3 * 8; bit < good.Length * 8; bit++)
        {
            if (bit / 8 is 6 or 7) continue; // the length field: refused as a length error instead (below)
            var bad = (byte[])good.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(PulseDropReason.BadMac, Refusal(bad));
        }
    }

    [Fact]
    public void Decode_FlippedLengthBits_RefusedAsLengthErrors()
    {
        var good = Encode(Heartbeat);
        var longer = (byte[])good.Clone();
        longer[7] ^= 1; // claims one payload byte more than there is
        Assert.Equal(PulseDropReason.Truncated, Refusal(longer));
        var hugeClaim = (byte[])good.Clone();
        hugeClaim[6] ^= 0x80;
        Assert.Equal(PulseDropReason.Truncated, Refusal(hugeClaim));
    }

    [Fact]
    public void Decode_EveryTruncation_Truncated()
    {
        var good = Encode(Heartbeat);
        for (int n = 0; n < good.Length; n++) Assert.Equal(PulseDropReason.Truncated, Refusal(good[..n]));
    }

    [Fact]
    public void Decode_TrailingByte_BadLength() =>
        Assert.Equal(PulseDropReason.BadLength, Refusal([.. Encode(Heartbeat), 0]));

    [Fact]
    public void Decode_WrongVersion_BadVersion()
    {
        var bad = Encode(Heartbeat);
        bad[2] = 2;
        Assert.Equal(PulseDropReason.BadVersion, Refusal(bad));
    }

    [Fact]
    public void Decode_NotPulse_BadMagic()
    {
        var bad = Encode(Heartbeat);
        bad[0] = (byte)'X';
        Assert.Equal(PulseDropReason.BadMagic, Refusal(bad));
    }

    [Fact]
    public void Decode_AuthenticatedUnknownTypeOrState_Refused()
    {
        Assert.Equal(PulseDropReason.BadType, Refusal(Encode(Heartbeat with { Type = (PulseMessageType)9 })));
        Assert.Equal(PulseDropReason.BadState, Refusal(Encode(Heartbeat with { SenderState = (RouterRole)3 })));
    }

    [Fact]
    public void Decode_PayloadOnAHeartbeat_BadLength() =>
        Assert.Equal(PulseDropReason.BadLength, Refusal(Encode(Heartbeat, payload: [1])));

    [Fact]
    public void Encode_PayloadOver1400Bytes_Throws() =>
        Assert.Throws<ArgumentException>(() => Encode(Heartbeat with { Type = PulseMessageType.SyncBatch }, new byte[PulseWireFormat.MaxPayload + 1]));

    [Fact]
    public void Codec_EmptyKey_Throws() => Assert.Throws<ArgumentException>(() => new PulseCodec([]));

    [Fact]
    public void EncodeAndDecode_SteadyState_AllocateNothing()
    {
        var codec = new PulseCodec(Addresses.Key);
        var buffer = new byte[PulseWireFormat.MaxDatagram];
        long bytes = SteadyStateAllocations.OfQuietestRound(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                int n = codec.Encode(Heartbeat with { Sequence = (ulong)i + 1 }, default, buffer);
                codec.TryDecode(buffer.AsSpan(0, n), out _, out _, out _);
            }
        });
        Assert.Equal(0, bytes);
    }
}
