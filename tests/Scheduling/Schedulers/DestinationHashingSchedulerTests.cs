namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_dh.c: 256 buckets filled by cycling the server list (weights ignored), bucket =
/// hash_32(destination address, 8), an unavailable bucket server gives no server (dh has no fallback).
/// </summary>
public class DestinationHashingSchedulerTests
{
    private static DestinationHashingScheduler Build(params RealServer[] servers) => new(new SchedulerContext(servers));

    private static SchedulingRequest ToDestination(string destination, string client = "198.51.100.7", ushort port = 40000) =>
        new(IPv4Address.Parse(client), port, IPv4Address.Parse(destination), 80);

    // hash_32(a, 8) = (a * 0x61C88647 mod 2^32) >> 24, worked out by hand from the low 32 bits of the product:
    //   0.0.0.1      = 0x00000001 -> 0x61C88647 -> 0x61 = 97
    //   192.168.1.1  = 0xC0A80101 -> 0x88E6CD47 -> 0x88 = 136
    //   198.51.100.1 = 0xC6336401 -> 0x60614247 -> 0x60 = 96
    //   10.1.2.3     = 0x0A010203 -> 0x02AD20D5 -> 0x02 = 2
    [Theory]
    [InlineData("0.0.0.1", 97)]
    [InlineData("192.168.1.1", 136)]
    [InlineData("198.51.100.1", 96)]
    [InlineData("10.1.2.3", 2)]
    public void Bucket_IsTheKernelsHash32OfTheDestinationAddress(string destination, int bucket) =>
        Assert.Equal(bucket, DestinationHashingScheduler.Bucket(IPv4Address.Parse(destination)));

    [Fact]
    public void Table_CyclesTheServerList_IgnoringWeights()
    {
        var servers = ServerList.WithWeights(1, 5, 1);
        var dh = Build(servers);
        for (int i = 0; i < 256; i++) Assert.Same(servers[i % 3], dh.Buckets[i]);
        // 256 = 3 * 85 + 1: the first server gets the odd bucket, weight 5 gets nothing extra.
        Assert.Equal([86, 85, 85], CountPerServer(dh, servers));
    }

    [Theory]
    [InlineData("192.168.1.1", 1)]   // bucket 136, 136 mod 3 = 1
    [InlineData("0.0.0.1", 1)]       // bucket 97,  97 mod 3 = 1
    [InlineData("198.51.100.1", 0)]  // bucket 96,  96 mod 3 = 0
    [InlineData("10.1.2.3", 2)]      // bucket 2,   2 mod 3 = 2
    public void Pick_SendsADestinationToTheServerOfItsBucket(string destination, int server)
    {
        var servers = ServerList.WithWeights(1, 1, 1);
        Assert.Same(servers[server], Build(servers).Pick(ToDestination(destination)));
    }

    [Fact]
    public void Pick_DependsOnlyOnTheDestination_NotOnTheClient()
    {
        var servers = ServerList.WithWeights(1, 1, 1, 1);
        var dh = Build(servers);
        var first = dh.Pick(ToDestination("203.0.113.9"));
        Assert.NotNull(first);
        for (int i = 1; i <= 200; i++)
            Assert.Same(first, dh.Pick(ToDestination("203.0.113.9", $"198.51.{i % 100}.{i}", (ushort)(1024 + i))));
        // A rebuilt table over the same list makes the same choice.
        Assert.Same(first, Build(servers).Pick(ToDestination("203.0.113.9")));
    }

    [Fact]
    public void Pick_OnAPlainVipService_SendsEveryConnectionToOneServer()
    {
        // Every request to VIP 192.0.2.10 has the same destination, hence the same bucket.
        var servers = ServerList.WithWeights(1, 1, 1);
        var (_, service) = ServerList.Publish("dh", servers);
        var chosen = service.Scheduler.Pick(ServerList.Client("198.51.100.1"));
        for (int i = 2; i < 100; i++) Assert.Same(chosen, service.Scheduler.Pick(ServerList.Client($"198.51.100.{i}")));
    }

    [Fact]
    public void Pick_SpreadsManyDestinationsEvenly()
    {
        // 4 servers own 64 buckets each; 40,000 destinations 10.16.0.0 + 7k must land within ±10%
        // of 10,000 per server (hash_32 spreads an arithmetic progression almost perfectly).
        var servers = ServerList.WithWeights(1, 1, 1, 1);
        var dh = Build(servers);
        var counts = new int[4];
        for (uint k = 0; k < 40_000; k++)
        {
            var request = new SchedulingRequest(IPv4Address.Parse("198.51.100.7"), 40000, new IPv4Address(0x0A100000u + k * 7), 80);
            counts[Array.IndexOf(servers, dh.Pick(request))]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
    }

    [Fact]
    public void Pick_OnAQuiescedOrOverloadedBucketServer_ReturnsNone_WithoutFallback()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 1),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1, upperThreshold: 1),
        };
        var dh = Build(servers);
        Assert.Null(dh.Pick(ToDestination("192.168.1.1")));   // bucket 136 -> quiesced 10.0.0.2
        Assert.Same(servers[2], dh.Pick(ToDestination("10.1.2.3")));   // bucket 2 -> 10.0.0.3
        var (_, service) = ServerList.Publish("dh", servers);
        servers[2].SetConnections(active: 1, inactive: 0);   // at its upper threshold
        Assert.True(servers[2].IsOverloaded);
        Assert.Null(service.Scheduler.Pick(ToDestination("10.1.2.3")));
        Assert.Same(servers[0], service.Scheduler.Pick(ToDestination("198.51.100.1")));   // bucket 96 -> 10.0.0.1
    }

    [Fact]
    public void RemovingAServer_RefillsByPosition_SoMostSurvivingBucketsChangeServer()
    {
        // IPVS reassigns every bucket by list position: with 4 servers bucket i was server i mod 4,
        // after removing the last it is server i mod 3. A bucket whose server survived keeps it only
        // when i mod 4 = i mod 3, i.e. i mod 12 in {0, 1, 2}: 66 of the 192 surviving buckets. So 126
        // of 192 (66%) move although their server is still there; consistent hashing (mh) avoids this.
        var servers = ServerList.WithWeights(1, 1, 1, 1);
        var before = Build(servers);
        var after = Build(servers[..3]);
        int surviving = 0, moved = 0;
        for (int i = 0; i < 256; i++)
        {
            if (ReferenceEquals(before.Buckets[i], servers[3])) continue;
            surviving++;
            if (!ReferenceEquals(before.Buckets[i], after.Buckets[i])) moved++;
        }
        Assert.Equal(192, surviving);
        Assert.Equal(126, moved);
    }

    [Fact]
    public void Pick_WithNoServers_ReturnsNone() =>
        Assert.Null(Build().Pick(ToDestination("192.168.1.1")));

    [Fact]
    public void Pick_AllocatesNothing()
    {
        var dh = Build(ServerList.WithWeights(1, 0, 1));
        var request = ToDestination("192.168.1.1");
        void Run() { for (uint k = 0; k < 10_000; k++) dh.Pick(request with { VirtualAddress = new IPv4Address(k) }); }
        Run();   // warm-up: every path jitted and tiered up (a first compile mid-measurement allocates)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static int[] CountPerServer(DestinationHashingScheduler dh, RealServer[] servers)
    {
        var counts = new int[servers.Length];
        foreach (var server in dh.Buckets) counts[Array.IndexOf(servers, server)]++;
        return counts;
    }
}
