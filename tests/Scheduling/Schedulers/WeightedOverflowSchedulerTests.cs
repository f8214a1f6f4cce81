namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_ovf.c: new connections go to the server of highest weight until its active
/// connections exceed its weight; then they overflow to the next highest. Overloaded and weight-0
/// servers are skipped; on equal weights the earlier server wins. Servers 10.0.0.1, .2, .3 are A, B, C.
/// </summary>
public class WeightedOverflowSchedulerTests
{
    private static RealServer? Pick(IScheduler scheduler) => scheduler.Pick(ServerList.Client("198.51.100.1"));

    /// <summary>Picks and, like the forwarder, binds an established connection to each chosen server.</summary>
    private static string PickAndConnect(IScheduler scheduler, int count)
    {
        var letters = new char[count];
        for (int i = 0; i < count; i++)
        {
            var server = Pick(scheduler);
            server?.Counters.ConnectionBound(active: true);
            letters[i] = server is null ? '-' : (char)('A' + (server.Address.Value - 0x0A000001u));
        }
        return new string(letters);
    }

    [Fact]
    public void Pick_TheHighestWeightTakesConnectionsUntilItsActiveCountExceedsItsWeight_ThenTheNextOverflowsIn()
    {
        var (_, service) = ServerList.Publish("ovf", ServerList.WithWeights(1, 3, 2));
        // B takes active 0..3 (4 connections), C takes 0..2 (3), A takes 0..1 (2), then nobody.
        Assert.Equal("BBBB" + "CCC" + "AA" + "-", PickAndConnect(service.Scheduler, 10));
    }

    [Fact]
    public void Pick_WhenConnectionsOfTheHighestEnd_TrafficReturnsToIt()
    {
        var servers = ServerList.WithWeights(1, 2);
        var (_, service) = ServerList.Publish("ovf", servers);
        Assert.Equal("BBBA", PickAndConnect(service.Scheduler, 4));
        servers[1].Counters.ConnectionUnbound(active: true);   // B back to 2 active: not more than its weight
        Assert.Equal("B", PickAndConnect(service.Scheduler, 1));
    }

    [Fact]
    public void Pick_CountsOnlyActiveConnections()
    {
        var servers = ServerList.WithWeights(1, 2);
        var (_, service) = ServerList.Publish("ovf", servers);
        servers[1].SetConnections(active: 2, inactive: 50);
        Assert.Same(servers[1], Pick(service.Scheduler));
        // A connection reaching ESTABLISHED makes it 3 active > weight 2.
        servers[1].Counters.ConnectionActivityChanged(nowActive: true);
        Assert.Same(servers[0], Pick(service.Scheduler));
        servers[1].Counters.ConnectionActivityChanged(nowActive: false);
        Assert.Same(servers[1], Pick(service.Scheduler));
    }

    [Fact]
    public void Pick_OnEqualWeights_TheEarlierServerWins()
    {
        var (_, service) = ServerList.Publish("ovf", ServerList.WithWeights(2, 2));
        Assert.Equal("AAABBB-", PickAndConnect(service.Scheduler, 7));
    }

    [Fact]
    public void Pick_SkipsQuiescedAndOverloadedServers()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 9, upperThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
        };
        var (_, service) = ServerList.Publish("ovf", servers);
        // B's upper threshold (2 connections) stops it long before its weight would.
        Assert.Equal("BBCC-", PickAndConnect(service.Scheduler, 5));
    }

    [Fact]
    public void Pick_WithEveryServerQuiesced_ReturnsNone()
    {
        var (_, service) = ServerList.Publish("ovf", ServerList.WithWeights(0, 0));
        Assert.Null(Pick(service.Scheduler));
    }
}
