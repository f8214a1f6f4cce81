namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_twos.c: two random numbers r1, r2 below (sum of available weights) + 1, each mapped to
/// the first available server in list order whose running weight sum reaches it (0 maps to the
/// first); the second choice wins only when its overhead per weight is strictly smaller.
/// </summary>
public class WeightedRandomTwoChoicesSchedulerTests
{
    private static readonly SchedulingRequest Client = ServerList.Client("198.51.100.1");

    /// <summary>Hands out a fixed sequence and records every bound asked for.</summary>
    private sealed class FixedRandom(params uint[] values) : IRandomSource
    {
        private int _next;
        public List<uint> Bounds { get; } = [];

        public uint Next(uint maxExclusive)
        {
            Bounds.Add(maxExclusive);
            uint value = values[_next++ % values.Length];
            Assert.True(value < maxExclusive, $"the test's value {value} is not below {maxExclusive}");
            return value;
        }
    }

    private sealed class SeededRandom(int seed) : IRandomSource
    {
        private readonly Random _random = new(seed);
        public uint Next(uint maxExclusive) => (uint)_random.NextInt64(maxExclusive);
    }

    [Fact]
    public void Pick_DrawsTwoNumbersBelowTheAvailableWeightPlusOne()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 2),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 3),
            new RealServer(IPv4Address.Parse("10.0.0.4"), 80, weight: 4, upperThreshold: 1),
        };
        var random = new FixedRandom(0, 0);
        var (_, service) = ServerList.Publish("twos", servers, random: random);
        servers[3].SetConnections(active: 0, inactive: 1);   // overloaded: its 4 leaves the total
        service.Scheduler.Pick(Client);
        Assert.Equal([6u, 6u], random.Bounds);               // 2 + 3, plus one
        Assert.Equal("twos", service.Scheduler.Name);
    }

    // Weights 2, 3, 5 (total 10, numbers 0..10): 0..2 -> first, 3..5 -> second, 6..10 -> third.
    [Theory]
    [InlineData(0u, 0)]
    [InlineData(1u, 0)]
    [InlineData(2u, 0)]
    [InlineData(3u, 1)]
    [InlineData(5u, 1)]
    [InlineData(6u, 2)]
    [InlineData(10u, 2)]
    public void Pick_MapsARandomNumberToTheServerWhoseRunningWeightReachesIt(uint r, int expected)
    {
        var servers = ServerList.WithWeights(2, 3, 5);
        var (_, service) = ServerList.Publish("twos", servers, random: new FixedRandom(r, r));
        Assert.Same(servers[expected], service.Scheduler.Pick(Client));
    }

    // Weights 2, 3, 5 loaded 256/2 = 128, 512/3 = 170.7, 768/5 = 153.6 per weight.
    [Theory]
    [InlineData(3u, 0u, 0)]    // second choice less loaded: it wins
    [InlineData(0u, 3u, 0)]    // first choice less loaded: it stays
    [InlineData(10u, 5u, 2)]
    [InlineData(5u, 6u, 2)]
    [InlineData(6u, 1u, 0)]
    [InlineData(7u, 9u, 2)]    // both on the same server
    public void Pick_KeepsTheChoiceWithLessOverheadPerWeight(uint r1, uint r2, int expected)
    {
        var servers = ServerList.WithWeights(2, 3, 5);
        var (_, service) = ServerList.Publish("twos", servers, random: new FixedRandom(r1, r2));
        servers[0].SetConnections(active: 1, inactive: 0);
        servers[1].SetConnections(active: 2, inactive: 0);
        servers[2].SetConnections(active: 3, inactive: 0);
        Assert.Same(servers[expected], service.Scheduler.Pick(Client));
    }

    [Theory]
    [InlineData(0u, 3u, 0)]
    [InlineData(3u, 0u, 1)]
    public void Pick_OnEqualOverheadPerWeight_TheFirstChoiceStays(uint r1, uint r2, int expected)
    {
        var servers = ServerList.WithWeights(1, 2);
        var (_, service) = ServerList.Publish("twos", servers, random: new FixedRandom(r1, r2));
        servers[0].SetConnections(active: 1, inactive: 0);   // 256 / 1
        servers[1].SetConnections(active: 2, inactive: 0);   // 512 / 2
        Assert.Same(servers[expected], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_NeverChoosesAnOverloadedOrQuiescedServer()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 4, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 4),
        };
        for (uint r1 = 0; r1 <= 4; r1++)
        for (uint r2 = 0; r2 <= 4; r2++)
        {
            foreach (var s in servers) s.SetConnections(0, 0);
            var random = new FixedRandom(r1, r2);
            var (_, service) = ServerList.Publish("twos", servers, random: random);
            servers[1].SetConnections(active: 0, inactive: 1);   // overloaded while idle
            servers[2].SetConnections(active: 50, inactive: 0);  // busy, yet the only choice
            Assert.Same(servers[2], service.Scheduler.Pick(Client));
            Assert.Equal([5u, 5u], random.Bounds);
        }
    }

    [Fact]
    public void Pick_WithNoAvailableServer_ReturnsNone_WithoutDrawing()
    {
        var random = new FixedRandom(0);
        var (_, service) = ServerList.Publish("twos", ServerList.WithWeights(0, 0), random: random);
        Assert.Null(service.Scheduler.Pick(Client));
        Assert.Empty(random.Bounds);
    }

    [Fact]
    public void Pick_FollowsAServerGoingInAndOutOfOverload()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 3, upperThreshold: 2, lowerThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 2),
        };
        var random = new FixedRandom(0, 0);
        var (_, service) = ServerList.Publish("twos", servers, random: random);
        Assert.Same(servers[0], service.Scheduler.Pick(Client));
        servers[0].SetConnections(active: 0, inactive: 2);                // overloaded
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
        servers[0].SetConnections(active: 0, inactive: 0);                // below the lower threshold
        Assert.Same(servers[0], service.Scheduler.Pick(Client));
        Assert.Equal([6u, 6u, 3u, 3u, 6u, 6u], random.Bounds);
    }

    [Fact]
    public void Pick_AfterAWeightChange_DrawsOverTheNewTotal()
    {
        var servers = ServerList.WithWeights(1, 1);
        var random = new FixedRandom(2, 2);
        var (table, _) = ServerList.Publish("twos", servers, random: random);
        var key = table.Current.Services[0].Key;
        Assert.Equal(TableResult.Ok, table.EditRealServer(key, servers[0].Address, 80, 5, 0, 0, ForwardingMethod.Masquerade));
        var service = table.Current.Find(key)!;
        Assert.Equal(servers[0].Address, service.Scheduler.Pick(Client)!.Address);   // 2 <= 5: the first
        Assert.Equal([7u, 7u], random.Bounds);
    }

    [Fact]
    public void ConcurrentOverloadFlips_LeaveTheWeightTreeEqualToAFreshSum()
    {
        // Four workers bind and unbind connections on servers with tiny thresholds, so availability
        // flips constantly from several threads; once they stop, the draw bound must be exactly the
        // available weight + 1 and every number must map to an available server.
        var servers = Enumerable.Range(0, 16)
            .Select(i => new RealServer(new IPv4Address(0x0A000001u + (uint)i), 80, weight: i % 5 + 1,
                upperThreshold: (uint)(i % 3 + 1), lowerThreshold: 0))
            .ToArray();
        var random = new FixedRandom(0, 0);
        var (_, service) = ServerList.Publish("twos", servers, random: random);
        Parallel.For(0, 4, worker =>
        {
            var rng = new Random(worker);
            for (int i = 0; i < 20_000; i++)
            {
                var c = servers[rng.Next(servers.Length)].Counters;
                if (rng.Next(3) == 0 || c.Inactive <= 0) c.ConnectionBound(active: false);
                else c.ConnectionUnbound(active: false);
            }
        });
        long total = servers.Where(s => s.IsAvailable).Sum(s => (long)s.Weight);
        random.Bounds.Clear();
        var picked = service.Scheduler.Pick(Client);
        if (total == 0)
        {
            Assert.Null(picked);
            return;
        }
        Assert.Equal([(uint)total + 1, (uint)total + 1], random.Bounds);
        Assert.Same(servers.First(s => s.IsAvailable), picked);   // r = 0: the first available server
    }

    [Fact]
    public void Pick_WithIdleServers_SpreadsByWeight_TheFirstGettingOneExtraShare()
    {
        // All overheads 0, so the first choice always stays: server i gets w_i / 11 of the picks,
        // and the first server one share more (r = 0 maps to it too), as in the kernel.
        var servers = ServerList.WithWeights(1, 2, 3, 4);
        var (_, service) = ServerList.Publish("twos", servers, random: new SeededRandom(7));
        var counts = new int[servers.Length];
        const int Picks = 110_000;
        for (int i = 0; i < Picks; i++)
            counts[Array.IndexOf(servers, service.Scheduler.Pick(Client))]++;
        int[] expected = [20_000, 20_000, 30_000, 40_000];
        for (int i = 0; i < servers.Length; i++)
            Assert.InRange(counts[i], expected[i] - 1_000, expected[i] + 1_000);
    }

    [Fact]
    public void Pick_AsConnectionsAccumulate_KeepsActiveConnectionsProportionalToWeight()
    {
        var servers = ServerList.WithWeights(1, 2, 3, 4);
        var (_, service) = ServerList.Publish("twos", servers, random: new SeededRandom(11));
        for (int i = 0; i < 2_000; i++)
            service.Scheduler.Pick(Client)!.Counters.ConnectionBound(active: true);
        // 200 connections per unit of weight; two choices keep every server close to it.
        foreach (var server in servers)
            Assert.InRange(server.ActiveConnections, 180 * server.Weight, 220 * server.Weight);
    }
}
