namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_sh.c: 256 buckets filled with runs of weight buckets per server in list order,
/// bucket = hash_32(client address + port, 8), flag-1 = sh-fallback, flag-2 = sh-port.
/// </summary>
public class SourceHashingSchedulerTests
{
    private const SchedulerFlags Fallback = SchedulerFlags.Flag1;
    private const SchedulerFlags HashPort = SchedulerFlags.Flag2;

    private static SourceHashingScheduler Build(RealServer[] servers, SchedulerFlags flags = SchedulerFlags.None) =>
        new(new SchedulerContext(servers, flags));

    // hash_32(a + p, 8) = ((a + p) * 0x61C88647 mod 2^32) >> 24, by hand from the product's low 32 bits:
    //   0.0.0.1 + 0           = 0x00000001 -> 0x61C88647 -> 97
    //   192.168.1.1 + 0       = 0xC0A80101 -> 0x88E6CD47 -> 136
    //   192.168.1.1 + 40000   = 0xC0A89D41 -> 0x2CDBA307 -> 44
    //   192.168.1.1 + 40001   = 0xC0A89D42 -> 0x8EA4294E -> 142
    [Theory]
    [InlineData("0.0.0.1", 0, 97)]
    [InlineData("192.168.1.1", 0, 136)]
    [InlineData("192.168.1.1", 40000, 44)]
    [InlineData("192.168.1.1", 40001, 142)]
    public void Bucket_IsTheKernelsHash32OfAddressPlusPort(string address, int port, int bucket) =>
        Assert.Equal((uint)bucket, SourceHashingScheduler.Bucket(IPv4Address.Parse(address), (ushort)port));

    [Fact]
    public void Table_GivesEachServerARunOfWeightBuckets_InListOrder()
    {
        // ip_vs_sh_reassign with weights 1, 1, 2: rounds of s0 s1 s2 s2, 64 rounds in 256 buckets.
        var servers = ServerList.WithWeights(1, 1, 2);
        var sh = Build(servers);
        Assert.Same(servers[0], sh.Buckets[0]);
        Assert.Same(servers[1], sh.Buckets[1]);
        Assert.Same(servers[2], sh.Buckets[2]);
        Assert.Same(servers[2], sh.Buckets[3]);
        Assert.Same(servers[0], sh.Buckets[4]);
        Assert.Equal([64, 64, 128], CountPerServer(sh, servers));
    }

    [Fact]
    public void Table_GivesAQuiescedServerOneBucketPerRound()
    {
        // "++d_count >= weight" is already true for weight 0: the server takes one bucket and the walk
        // moves on. Weights 2, 0, 1: rounds of s0 s0 s1 s2.
        var servers = ServerList.WithWeights(2, 0, 1);
        var sh = Build(servers);
        Assert.Equal([128, 64, 64], CountPerServer(sh, servers));
        Assert.Same(servers[1], sh.Buckets[2]);
    }

    [Fact]
    public void Pick_SendsAClientToTheServerOfItsBucket()
    {
        var servers = ServerList.WithWeights(1, 1, 1, 1);   // bucket i = server i mod 4
        var sh = Build(servers);
        Assert.Same(servers[0], sh.Pick(ServerList.Client("192.168.1.1")));   // bucket 136
        Assert.Same(servers[1], sh.Pick(ServerList.Client("0.0.0.1")));       // bucket 97
    }

    [Fact]
    public void Pick_IsStickyPerClient_WhateverItsPort()
    {
        var servers = ServerList.WithWeights(1, 2, 3);
        var sh = Build(servers);
        for (uint c = 0; c < 500; c++)
        {
            var address = new IPv4Address(0xC6336400u + c * 13);
            var first = sh.Pick(new SchedulingRequest(address, 1024, IPv4Address.Parse("192.0.2.10"), 80));
            Assert.NotNull(first);
            for (ushort port = 2000; port < 60000; port += 7919)
                Assert.Same(first, sh.Pick(new SchedulingRequest(address, port, IPv4Address.Parse("192.0.2.10"), 80)));
        }
    }

    [Fact]
    public void Pick_SpreadsClientsInProportionToWeight()
    {
        // Weights 1, 1, 2 own 1/4, 1/4, 1/2 of the buckets; 40,000 clients 172.16.0.0 + 7k must land
        // within ±10% of 10,000, 10,000 and 20,000.
        var servers = ServerList.WithWeights(1, 1, 2);
        var counts = CountClients(Build(servers), servers, 40_000);
        Assert.InRange(counts[0], 9_000, 11_000);
        Assert.InRange(counts[1], 9_000, 11_000);
        Assert.InRange(counts[2], 18_000, 22_000);
    }

    [Fact]
    public void Pick_SpreadsClientsEvenlyOverEqualWeights()
    {
        // 5 servers: 256 = 5 * 51 + 1 buckets, so each owns 51 or 52; within ±10% of 8,000 of 40,000 clients.
        var servers = ServerList.WithWeights(1, 1, 1, 1, 1);
        Assert.All(CountClients(Build(servers), servers, 40_000), c => Assert.InRange(c, 7_200, 8_800));
    }

    [Fact]
    public void Pick_WithShPort_HashesTheClientPortToo()
    {
        var servers = ServerList.WithWeights(1, 1, 1, 1);
        var plain = Build(servers);
        var byPort = Build(servers, HashPort);
        // Without sh-port both ports hash 192.168.1.1 alone: bucket 136 -> server 0.
        Assert.Same(servers[0], plain.Pick(ServerList.Client("192.168.1.1", 40000)));
        Assert.Same(servers[0], plain.Pick(ServerList.Client("192.168.1.1", 40001)));
        // With it: bucket 44 -> server 0 and bucket 142 -> server 2.
        Assert.Same(servers[0], byPort.Pick(ServerList.Client("192.168.1.1", 40000)));
        Assert.Same(servers[2], byPort.Pick(ServerList.Client("192.168.1.1", 40001)));
        // The same client and port stay together.
        Assert.Same(servers[2], byPort.Pick(ServerList.Client("192.168.1.1", 40001)));
    }

    [Fact]
    public void Pick_OnAnOverloadedServer_ReturnsNone_WithoutFallback()
    {
        var servers = Overloadable();
        var (_, service) = ServerList.Publish("sh", servers);
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.True(servers[0].IsOverloaded);
        Assert.Null(service.Scheduler.Pick(ServerList.Client("192.168.1.1")));   // bucket 136 -> server 0
        Assert.Same(servers[1], service.Scheduler.Pick(ServerList.Client("0.0.0.1")));   // others unaffected
    }

    [Fact]
    public void Pick_OnAnOverloadedServer_WithFallback_ProbesFromTwiceTheHash()
    {
        // ip_vs_sh_get_fallback probes bucket (offset + home) + home: for home 136 that is 16 (server 0,
        // still overloaded), then 17 (server 1).
        var servers = Overloadable();
        var (_, service) = ServerList.Publish("sh", servers, Fallback);
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[1], service.Scheduler.Pick(ServerList.Client("192.168.1.1")));
        Assert.Same(servers[1], service.Scheduler.Pick(ServerList.Client("192.168.1.1")));
        // Once it is no longer overloaded the client returns home.
        servers[0].SetConnections(active: 0, inactive: 0);
        Assert.Same(servers[0], service.Scheduler.Pick(ServerList.Client("192.168.1.1")));
    }

    [Fact]
    public void Pick_OnAQuiescedServer_ReturnsNone_OrItsFallbackWithTheFlag()
    {
        // Weights 1, 1, 0, 1, 1 lay the buckets out like five weights of 1 (the quiesced server keeps
        // one per round): bucket i = server i mod 5. 0.0.0.1 hashes to bucket 97, server 2, quiesced.
        var servers = ServerList.WithWeights(1, 1, 0, 1, 1);
        Assert.Null(Build(servers).Pick(ServerList.Client("0.0.0.1")));
        // The fallback's first probe is bucket 2 * 97 = 194, server 4: not the next bucket's server 3.
        Assert.Same(servers[4], Build(servers, Fallback).Pick(ServerList.Client("0.0.0.1")));
    }

    [Fact]
    public void Pick_WithFallback_AndNoServerAvailable_ReturnsNone() =>
        Assert.Null(Build(ServerList.WithWeights(0, 0, 0), Fallback).Pick(ServerList.Client("192.168.1.1")));

    [Fact]
    public void Pick_WithNoServers_ReturnsNone() =>
        Assert.Null(Build([], Fallback).Pick(ServerList.Client("192.168.1.1")));

    [Fact]
    public void Pick_AllocatesNothing_EvenWhenFallingBack()
    {
        var sh = Build(ServerList.WithWeights(1, 0, 1), Fallback | HashPort);
        var client = ServerList.Client("192.168.1.1");
        void Run() { for (ushort port = 0; port < 10_000; port++) sh.Pick(client with { ClientPort = port }); }
        Run();   // warm-up: every path jitted and tiered up (a first compile mid-measurement allocates)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void RemovingAServer_RefillsByPosition_SoMostSurvivingClientsMove()
    {
        // IPVS refills all 256 buckets by position: with 4 equal servers bucket i is server i mod 4;
        // without server 1 it is [s0, s2, s3][i mod 3]. Of the 192 buckets whose server survived, 128
        // now point elsewhere (counted over i = 0..255), and clients follow their bucket.
        var servers = ServerList.WithWeights(1, 1, 1, 1);
        var before = Build(servers);
        var after = Build([servers[0], servers[2], servers[3]]);
        int surviving = 0, moved = 0;
        for (int i = 0; i < 256; i++)
        {
            if (ReferenceEquals(before.Buckets[i], servers[1])) continue;
            surviving++;
            if (!ReferenceEquals(before.Buckets[i], after.Buckets[i])) moved++;
        }
        Assert.Equal((192, 128), (surviving, moved));

        int clientsSurviving = 0, clientsMoved = 0;
        for (uint k = 0; k < 20_000; k++)
        {
            var client = new SchedulingRequest(new IPv4Address(0xAC100000u + k * 7), 40000, IPv4Address.Parse("192.0.2.10"), 80);
            var was = before.Pick(client);
            if (ReferenceEquals(was, servers[1])) continue;
            clientsSurviving++;
            if (!ReferenceEquals(was, after.Pick(client))) clientsMoved++;
        }
        Assert.InRange((double)clientsMoved / clientsSurviving, 0.6, 0.73);   // 128/192 = 0.667
    }

    private static RealServer[] Overloadable() =>
    [
        new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 1, upperThreshold: 1),
        new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 1),
        new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
        new RealServer(IPv4Address.Parse("10.0.0.4"), 80, weight: 1),
    ];

    private static int[] CountPerServer(SourceHashingScheduler sh, RealServer[] servers)
    {
        var counts = new int[servers.Length];
        foreach (var server in sh.Buckets) counts[Array.IndexOf(servers, server)]++;
        return counts;
    }

    private static int[] CountClients(SourceHashingScheduler sh, RealServer[] servers, int clients)
    {
        var counts = new int[servers.Length];
        for (uint k = 0; k < clients; k++)
        {
            var request = new SchedulingRequest(new IPv4Address(0xAC100000u + k * 7), 40000, IPv4Address.Parse("192.0.2.10"), 80);
            counts[Array.IndexOf(servers, sh.Pick(request))]++;
        }
        return counts;
    }
}
