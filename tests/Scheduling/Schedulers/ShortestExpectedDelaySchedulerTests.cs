namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_sed.c: the available server with the least (active + 1) / weight wins, compared as
/// loh * dw > doh * lw; inactive connections do not count; on a tie the earlier server wins.
/// </summary>
public class ShortestExpectedDelaySchedulerTests
{
    private static readonly SchedulingRequest Client = ServerList.Client("198.51.100.1");

    // weights, active, inactive (in list order), the index sed picks.
    [Theory]
    [InlineData(new[] { 1, 10 }, new[] { 0, 5 }, new[] { 0, 0 }, 1)]          // (0+1)/1 = 1 vs (5+1)/10 = 0.6
    [InlineData(new[] { 1, 10 }, new[] { 0, 9 }, new[] { 0, 0 }, 0)]          // 1 = 10/10: the earlier
    [InlineData(new[] { 1, 10 }, new[] { 0, 10 }, new[] { 0, 0 }, 0)]         // 1 vs 1.1
    [InlineData(new[] { 1, 10 }, new[] { 0, 0 }, new[] { 0, 0 }, 1)]          // idle: 1 vs 0.1, the heavier
    [InlineData(new[] { 2, 1, 2 }, new[] { 1, 0, 1 }, new[] { 0, 0, 0 }, 0)]  // 1 = 1 = 1: the first
    [InlineData(new[] { 3, 2, 4 }, new[] { 5, 2, 6 }, new[] { 0, 0, 0 }, 1)]  // 2 vs 1.5 vs 1.75
    [InlineData(new[] { 1, 1 }, new[] { 0, 1 }, new[] { 1000, 0 }, 0)]        // inactive ignored: 1 vs 2
    public void Pick_ChoosesTheShortestExpectedDelay_TiesToTheEarlierServer(int[] weights, int[] active, int[] inactive, int expected)
    {
        var servers = ServerList.WithWeights(weights);
        var (_, service) = ServerList.Publish("sed", servers);
        for (int i = 0; i < servers.Length; i++) servers[i].SetConnections(active[i], inactive[i]);
        Assert.Same(servers[expected], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_DiffersFromWlc_ByCountingTheNewConnection()
    {
        // wlc sees overhead 0 for both idle servers and keeps the first; sed sees 1/1 against 1/4.
        var servers = ServerList.WithWeights(1, 4);
        var (_, sed) = ServerList.Publish("sed", servers);
        Assert.Same(servers[1], sed.Scheduler.Pick(Client));
        var other = ServerList.WithWeights(1, 4);
        var (_, wlc) = ServerList.Publish("wlc", other);
        Assert.Same(other[0], wlc.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_SkipsQuiescedAndOverloadedServers()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 100, upperThreshold: 3),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
        };
        var (_, service) = ServerList.Publish("sed", servers);
        servers[1].SetConnections(active: 0, inactive: 3);   // overloaded, though (0+1)/100 would win
        servers[2].SetConnections(active: 7, inactive: 0);
        Assert.True(servers[1].IsOverloaded);
        Assert.Same(servers[2], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_FollowsActiveConnectionsAsTheyChange()
    {
        var servers = ServerList.WithWeights(1, 2);
        var (_, service) = ServerList.Publish("sed", servers);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));        // 1 vs 0.5
        servers[1].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[0], service.Scheduler.Pick(Client));        // 1 = 2/2: the earlier
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));        // 2 vs 1
    }

    [Fact]
    public void Pick_WithEveryServerUnavailable_ReturnsNone()
    {
        var (_, service) = ServerList.Publish("sed", ServerList.WithWeights(0));
        Assert.Null(service.Scheduler.Pick(Client));
        Assert.Equal("sed", service.Scheduler.Name);
    }
}
