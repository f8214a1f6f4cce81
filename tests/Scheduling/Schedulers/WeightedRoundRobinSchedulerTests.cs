namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_wrr.c: a walk over the list with a current weight cw that starts at the greatest
/// weight and drops by the weights' gcd at each end of the list; a server is chosen when it is not
/// overloaded and its weight is at least cw. Servers 10.0.0.1, .2, .3, ... are named A, B, C, ...
/// </summary>
public class WeightedRoundRobinSchedulerTests
{
    private static readonly VirtualServiceKey Key = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);

    private static string Picks(IScheduler scheduler, int count)
    {
        var letters = new char[count];
        for (int i = 0; i < count; i++)
        {
            var server = scheduler.Pick(ServerList.Client("198.51.100.1", (ushort)(40000 + i)));
            letters[i] = server is null ? '-' : (char)('A' + (server.Address.Value - 0x0A000001u));
        }
        return new string(letters);
    }

    private static IScheduler Current(ServiceTable table) => table.Current.Find(Key)!.Scheduler;

    /// <summary>
    /// A service whose wrr scheduler starts with every server present (ip_vs_wrr_init_svc: cw = mw,
    /// position at the list head), as after ipvsadm -E -s wrr on a service that already has them.
    /// </summary>
    private static (ServiceTable Table, VirtualService Service) PublishAll(RealServer[] servers)
    {
        var (table, _) = ServerList.Publish("wlc", servers);
        Assert.Equal(TableResult.Ok, table.EditService(new VirtualServiceConfig(Key, "wrr")));
        return (table, table.Current.Find(Key)!);
    }

    private static RealServer[] Limited(params int[] weights) =>
        weights.Select((w, i) => new RealServer(new IPv4Address(0x0A000001u + (uint)i), 80, w, upperThreshold: 1)).ToArray();

    [Fact]
    public void Pick_WithWeights4_3_2_FollowsIpvsSequence()
    {
        var (_, service) = PublishAll(ServerList.WithWeights(4, 3, 2));
        Assert.Equal("AABABCABC" + "AABABCABC", Picks(service.Scheduler, 18));
    }

    [Fact]
    public void Pick_AfterServersAreAddedOneByOne_StartsAtTheCurrentWeightTheAddsLeft()
    {
        // ipvsadm -a C (2), B (3), A (4) on an empty wrr service: the first add sets cw = mw = 1 and
        // ip_vs_wrr_dest_changed keeps cw = 1 through the later adds, so the first round is A B C.
        var (_, service) = ServerList.Publish("wrr", ServerList.WithWeights(4, 3, 2));
        Assert.Equal("ABC" + "AABABCABC" + "AAB", Picks(service.Scheduler, 15));
    }

    [Fact]
    public void Pick_StepsTheCurrentWeightByTheGcdOfTheWeights()
    {
        // gcd 2, mw = 4 - 1 = 3: cw 3 -> A, cw 1 -> A B.
        var (_, service) = PublishAll(ServerList.WithWeights(4, 2));
        Assert.Equal("AABAAB", Picks(service.Scheduler, 6));
    }

    [Fact]
    public void Pick_NeverChoosesAQuiescedServer()
    {
        var (_, service) = PublishAll(ServerList.WithWeights(3, 0, 1));
        Assert.Equal("AAAC" + "AAAC", Picks(service.Scheduler, 8));
    }

    [Fact]
    public void Pick_WithEveryServerQuiesced_ReturnsNone()
    {
        var (_, service) = PublishAll(ServerList.WithWeights(0, 0));
        Assert.Equal("--", Picks(service.Scheduler, 2));
        var (_, empty) = PublishAll([]);
        Assert.Null(empty.Scheduler.Pick(ServerList.Client("198.51.100.1")));
    }

    [Fact]
    public void Pick_SkipsAnOverloadedServer_AndResumesItAfterTheOverloadClears()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, 4),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, 3, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, 2),
        };
        var (_, service) = PublishAll(servers);
        servers[1].SetConnections(active: 1, inactive: 0);
        Assert.True(servers[1].IsOverloaded);
        // A A [B] A [B] C: the walk passes over B wherever it would have been chosen.
        Assert.Equal("AAAC", Picks(service.Scheduler, 4));
        servers[1].SetConnections(active: 0, inactive: 0);
        // The walk goes on at cw = 1 (A B C), then starts over at cw = 4.
        Assert.Equal("ABCAAB", Picks(service.Scheduler, 6));
    }

    [Fact]
    public void Pick_WithEveryServerOverloaded_ReturnsNone()
    {
        var servers = Limited(4, 3, 2);
        var (_, service) = PublishAll(servers);
        foreach (var server in servers) server.SetConnections(active: 0, inactive: 1);
        Assert.Equal("---", Picks(service.Scheduler, 3));
    }

    [Fact]
    public void Pick_AfterAFailureBeforeTheLastLevel_StartsTheRoundAgain()
    {
        var servers = Limited(4, 3, 2);
        var (_, service) = PublishAll(servers);
        Assert.Equal("AA", Picks(service.Scheduler, 2));   // now at cw = 3
        foreach (var server in servers) server.SetConnections(active: 1, inactive: 0);
        Assert.Equal("-", Picks(service.Scheduler, 1));    // IPVS leaves the walk at (head, mw)
        foreach (var server in servers) server.SetConnections(active: 0, inactive: 0);
        Assert.Equal("AABABC", Picks(service.Scheduler, 6));
    }

    [Fact]
    public void Pick_AfterAFailureInTheLastLevel_ContinuesWhereItWas()
    {
        var servers = Limited(4, 3, 2);
        var (_, service) = PublishAll(servers);
        Assert.Equal("AABABCA", Picks(service.Scheduler, 7));   // now at A with cw = 1
        foreach (var server in servers) server.SetConnections(active: 1, inactive: 0);
        Assert.Equal("-", Picks(service.Scheduler, 1));         // a full lap, back to the same place
        foreach (var server in servers) server.SetConnections(active: 0, inactive: 0);
        Assert.Equal("BCAAB", Picks(service.Scheduler, 5));
    }

    [Fact]
    public void Pick_AfterAServerIsEdited_RestartsAtTheListHeadWithTheSameCurrentWeight()
    {
        var (table, service) = PublishAll(ServerList.WithWeights(4, 3, 2));
        Assert.Equal("AAB", Picks(service.Scheduler, 3));   // cw = 3
        Assert.Equal(TableResult.Ok, table.EditRealServer(Key, IPv4Address.Parse("10.0.0.3"), 80, 2, 10, 5, ForwardingMethod.Masquerade));
        // ip_vs_wrr_dest_changed: position back to the head, cw = 3 kept.
        Assert.Equal("AB" + "ABC" + "ABC" + "AAB", Picks(Current(table), 11));
    }

    [Fact]
    public void Pick_AfterAServerIsAdded_RoundsTheCurrentWeightToALevelOfTheNewGcd()
    {
        var (table, service) = PublishAll(ServerList.WithWeights(4, 2));
        Assert.Equal("A", Picks(service.Scheduler, 1));   // gcd 2, mw 3, cw = 3
        // D (weight 6) goes to the head: D A B, gcd 2, mw 5; cw = 3 / 2 * 2 + 1 = 3.
        Assert.Equal(TableResult.Ok, table.AddRealServer(Key, new RealServer(IPv4Address.Parse("10.0.0.4"), 80, 6)));
        Assert.Equal("DA" + "DAB" + "D" + "DA" + "DAB", Picks(Current(table), 11));
    }

    [Fact]
    public void Pick_WhenTheCurrentWeightExceedsTheNewMaximum_StartsAtTheNewMaximum()
    {
        var (table, service) = PublishAll(ServerList.WithWeights(4, 3, 2));
        Assert.Equal("A", Picks(service.Scheduler, 1));   // cw = 4
        Assert.Equal(TableResult.Ok, table.EditRealServer(Key, IPv4Address.Parse("10.0.0.1"), 80, 1, 0, 0, ForwardingMethod.Masquerade));
        // Weights 1 3 2: cw = mw = 3 -> B; 2 -> B C; 1 -> A B C.
        Assert.Equal("B" + "BC" + "ABC" + "B", Picks(Current(table), 7));
    }

    [Fact]
    public void Pick_AfterOnlyTheServiceFlagsChange_GoesOnWithTheSameWalk()
    {
        var (table, service) = PublishAll(ServerList.WithWeights(4, 3, 2));
        Assert.Equal("AAB", Picks(service.Scheduler, 3));
        Assert.Equal(TableResult.Ok, table.EditService(new VirtualServiceConfig(Key, "wrr", SchedulerFlags.Flag1)));
        Assert.Equal("ABCABC" + "AAB", Picks(Current(table), 9));
    }

    [Fact]
    public void Pick_WithoutAPrecomputedSequence_WalksTheListTheSameWay()
    {
        var scheduler = new WeightedRoundRobinScheduler(new SchedulerContext(ServerList.WithWeights(4, 3, 2)), maxCycleLength: 0);
        Assert.Equal("AABABCABC" + "AABABCABC", Picks(scheduler, 18));
        var gcd = new WeightedRoundRobinScheduler(new SchedulerContext(ServerList.WithWeights(4, 2)), maxCycleLength: 0);
        Assert.Equal("AABAAB", Picks(gcd, 6));
    }

    [Fact]
    public void Pick_WithASequenceAboveTheBound_FallsBackToTheWalk()
    {
        // 1 000 000 + 999 999 entries would exceed the 2^20 bound.
        var (_, service) = PublishAll(ServerList.WithWeights(1_000_000, 999_999));
        Assert.Equal("AABAB", Picks(service.Scheduler, 5));
    }

    [Fact]
    public void Pick_FromConcurrentWorkers_KeepsTheExactProportions()
    {
        var (_, service) = PublishAll(ServerList.WithWeights(4, 3, 2));
        const int Workers = 4, PicksEach = 22_500;   // 90 000 picks: 10 000 rounds of 9
        var counts = new int[3];
        Parallel.For(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, _ =>
        {
            var local = new int[3];
            for (int i = 0; i < PicksEach; i++)
                local[service.Scheduler.Pick(ServerList.Client("198.51.100.1"))!.Address.Value - 0x0A000001u]++;
            lock (counts)
                for (int s = 0; s < 3; s++) counts[s] += local[s];
        });
        Assert.Equal([40_000, 30_000, 20_000], counts);
        Assert.Equal("AAB", Picks(service.Scheduler, 3));
    }
}
