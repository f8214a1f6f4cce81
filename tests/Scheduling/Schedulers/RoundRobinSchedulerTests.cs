namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_rr.c: each new connection goes to the next server in list order after the one chosen
/// last, skipping quiesced (weight 0) and overloaded servers; the position survives table changes.
/// Servers 10.0.0.1, .2, .3, ... are named A, B, C, ... in the sequences below.
/// </summary>
public class RoundRobinSchedulerTests
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

    [Fact]
    public void Pick_StartsAtTheListHead_AndCyclesInListOrder()
    {
        var (_, service) = ServerList.Publish("rr", ServerList.WithWeights(1, 1, 1));
        Assert.Equal("ABCABCA", Picks(service.Scheduler, 7));
    }

    [Fact]
    public void Pick_IgnoresWeightsOtherThanZero()
    {
        var (_, service) = ServerList.Publish("rr", ServerList.WithWeights(5, 1, 100));
        Assert.Equal("ABCABC", Picks(service.Scheduler, 6));
    }

    [Fact]
    public void Pick_NeverChoosesAQuiescedServer()
    {
        var (_, service) = ServerList.Publish("rr", ServerList.WithWeights(0, 1, 0, 2));
        Assert.Equal("BDBDB", Picks(service.Scheduler, 5));
    }

    [Fact]
    public void Pick_SkipsAnOverloadedServer_AndGivesItItsTurnAgainOnceTheOverloadClears()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80),
        };
        var (_, service) = ServerList.Publish("rr", servers);
        servers[1].SetConnections(active: 1, inactive: 0);
        Assert.True(servers[1].IsOverloaded);
        Assert.Equal("ACAC", Picks(service.Scheduler, 4));   // last chosen: C
        servers[1].SetConnections(active: 0, inactive: 0);
        Assert.Equal("ABCA", Picks(service.Scheduler, 4));
    }

    [Fact]
    public void Pick_WithNoServerAvailable_ReturnsNone_AndKeepsItsPlace()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 0),
        };
        var (_, service) = ServerList.Publish("rr", servers);
        Assert.Equal("A", Picks(service.Scheduler, 1));
        servers[0].SetConnections(active: 1, inactive: 0);
        servers[1].SetConnections(active: 1, inactive: 0);
        Assert.Equal("--", Picks(service.Scheduler, 2));
        servers[0].SetConnections(active: 0, inactive: 0);
        servers[1].SetConnections(active: 0, inactive: 0);
        Assert.Equal("BAB", Picks(service.Scheduler, 3));
    }

    [Fact]
    public void Pick_OnAnEmptyOrFullyQuiescedService_ReturnsNone()
    {
        var (_, empty) = ServerList.Publish("rr", []);
        Assert.Null(empty.Scheduler.Pick(ServerList.Client("198.51.100.1")));
        var (_, quiesced) = ServerList.Publish("rr", ServerList.WithWeights(0, 0));
        Assert.Equal("--", Picks(quiesced.Scheduler, 2));
    }

    [Fact]
    public void Pick_AfterAServerIsAdded_ContinuesAfterTheServerChosenLast()
    {
        var (table, service) = ServerList.Publish("rr", ServerList.WithWeights(1, 1, 1));
        Assert.Equal("AB", Picks(service.Scheduler, 2));
        // ipvsadm -a puts D at the list head: D A B C. The walk goes on after B.
        Assert.Equal(TableResult.Ok, table.AddRealServer(Key, new RealServer(IPv4Address.Parse("10.0.0.4"), 80)));
        Assert.Equal("CDABCD", Picks(Current(table), 6));
    }

    [Fact]
    public void Pick_AfterTheServerChosenLastIsDeleted_ContinuesWithTheServerThatFollowedIt()
    {
        var (table, service) = ServerList.Publish("rr", ServerList.WithWeights(1, 1, 1, 1));
        Assert.Equal("AB", Picks(service.Scheduler, 2));
        Assert.Equal(TableResult.Ok, table.DeleteRealServer(Key, IPv4Address.Parse("10.0.0.2"), 80));
        Assert.Equal("CDAC", Picks(Current(table), 4));
    }

    [Fact]
    public void Pick_AfterTheFirstServerIsChosenAndDeleted_ContinuesAtTheNewHead()
    {
        var (table, service) = ServerList.Publish("rr", ServerList.WithWeights(1, 1, 1));
        Assert.Equal("A", Picks(service.Scheduler, 1));
        Assert.Equal(TableResult.Ok, table.DeleteRealServer(Key, IPv4Address.Parse("10.0.0.1"), 80));
        Assert.Equal("BCB", Picks(Current(table), 3));
    }

    [Fact]
    public void Pick_AfterTheServerChosenLastIsQuiesced_ContinuesAfterIt()
    {
        var (table, service) = ServerList.Publish("rr", ServerList.WithWeights(1, 1, 1));
        Assert.Equal("AB", Picks(service.Scheduler, 2));
        Assert.Equal(TableResult.Ok, table.EditRealServer(Key, IPv4Address.Parse("10.0.0.2"), 80, 0, 0, 0, ForwardingMethod.Masquerade));
        Assert.Equal("CACA", Picks(Current(table), 4));
    }

    [Fact]
    public void Pick_AfterTheServerChosenLastIsQuiescedAndRestored_StillContinuesAfterIt()
    {
        var (table, service) = ServerList.Publish("rr", ServerList.WithWeights(1, 1, 1));
        Assert.Equal("AB", Picks(service.Scheduler, 2));
        var b = IPv4Address.Parse("10.0.0.2");
        Assert.Equal(TableResult.Ok, table.EditRealServer(Key, b, 80, 0, 0, 0, ForwardingMethod.Masquerade));
        Assert.Equal(TableResult.Ok, table.EditRealServer(Key, b, 80, 1, 0, 0, ForwardingMethod.Masquerade));
        // IPVS's position never left B: the walk goes on with C.
        Assert.Equal("CAB", Picks(Current(table), 3));
    }

    [Fact]
    public void Pick_FromConcurrentWorkers_SharesOneCycleWithoutLosingATurn()
    {
        var (_, service) = ServerList.Publish("rr", ServerList.WithWeights(1, 1, 1, 1, 1));
        const int Workers = 4, PicksEach = 25_000;
        var counts = new int[5];
        Parallel.For(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, _ =>
        {
            var local = new int[5];
            for (int i = 0; i < PicksEach; i++)
                local[service.Scheduler.Pick(ServerList.Client("198.51.100.1"))!.Address.Value - 0x0A000001u]++;
            lock (counts)
                for (int s = 0; s < 5; s++) counts[s] += local[s];
        });
        // Every successful pick advances the shared position exactly once: 100 000 picks, 20 000 each.
        Assert.All(counts, c => Assert.Equal(Workers * PicksEach / 5, c));
        Assert.Equal("A", Picks(service.Scheduler, 1));
    }
}
