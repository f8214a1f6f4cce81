using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.Sync;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Sync;

/// <summary>
/// The single-producer, single-consumer ring between a worker and the sync sender (or the importer
/// and a worker): first in, first out; a full ring refuses instead of waiting or overwriting; and
/// with a producer and a consumer on two threads, every record arrives once, in order.
/// </summary>
public sealed class SyncRecordRingTests
{
    private static ConnectionSyncRecord Record(int n) => new(ConnectionSyncKind.Connection, Protocol.Udp, TcpState.None,
        new IPv4Address((uint)n), (ushort)n, IPv4Address.Parse("192.0.2.10"), 53, IPv4Address.Parse("10.0.0.11"), 53, (uint)n);

    [Fact]
    public void Records_ComeOutInTheOrderTheyWentIn_AndAFullRingRefusesTheNext()
    {
        var ring = new SyncRecordRing(4);
        for (int i = 0; i < 4; i++) Assert.True(ring.TryWrite(Record(i)));
        Assert.False(ring.TryWrite(Record(4)));
        Assert.Equal(4, ring.Count);

        var taken = new ConnectionSyncRecord[3];
        Assert.Equal(3, ring.Read(taken));
        Assert.Equal([Record(0), Record(1), Record(2)], taken);
        Assert.True(ring.TryWrite(Record(5)));
        Assert.True(ring.TryRead(out var next));
        Assert.Equal(Record(3), next);
        Assert.True(ring.TryRead(out next));
        Assert.Equal(Record(5), next);
        Assert.False(ring.TryRead(out _));
        Assert.Equal(0, ring.Read(taken));
    }

    [Fact]
    public void ACapacityThatIsNotAPowerOfTwo_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyncRecordRing(1000));

    [Fact]
    public void AcrossTwoThreads_EveryRecordArrivesOnce_InOrder()
    {
        const int total = 50_000;
        var ring = new SyncRecordRing(64);
        var producer = new Thread(() =>
        {
            for (int i = 0; i < total; i++)
                while (!ring.TryWrite(Record(i))) Thread.Yield();
        });
        producer.Start();

        var buffer = new ConnectionSyncRecord[16];
        int expected = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);   // a bound for a hung producer, not a speed check
        while (expected < total && DateTime.UtcNow < deadline)
        {
            int n = ring.Read(buffer);
            if (n == 0) Thread.Yield();
            for (int i = 0; i < n; i++, expected++)
                if (buffer[i] != Record(expected)) Assert.Fail($"record {expected} arrived as {buffer[i].ClientPort}");
        }
        Assert.True(producer.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(total, expected);
    }
}
