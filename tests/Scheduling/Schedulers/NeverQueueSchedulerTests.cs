namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_nq.c: the first available server with no active connection, in list order, whatever
/// its weight; when none is idle, sed's least (active + 1) / weight, ties to the earlier server.
/// </summary>
public class NeverQueueSchedulerTests
{
    private static readonly SchedulingRequest Client = ServerList.Client("198.51.100.1");

    [Fact]
    public void Pick_AnIdleServerWins_EvenWithTheSmallestWeight()
    {
        var servers = ServerList.WithWeights(10, 1);
        var (_, service) = ServerList.Publish("nq", servers);
        servers[0].SetConnections(active: 1, inactive: 0);   // sed: 2/10 = 0.2 beats 1/1
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_TheFirstIdleServerInListOrderWins()
    {
        var servers = ServerList.WithWeights(5, 1, 10, 100);
        var (_, service) = ServerList.Publish("nq", servers);
        servers[0].SetConnections(active: 3, inactive: 0);
        // 1, 2 and 3 are idle; sed would choose 3 (1/100), nq returns the first idle one it meets.
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
        servers[1].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[2], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_IdleMeansNoActiveConnection_InactiveOnesDoNotCount()
    {
        var servers = ServerList.WithWeights(50, 1);
        var (_, service) = ServerList.Publish("nq", servers);
        servers[0].SetConnections(active: 1, inactive: 0);
        servers[1].SetConnections(active: 0, inactive: 500);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
    }

    // weights, active (in list order, none idle), the index nq picks: exactly sed.
    [Theory]
    [InlineData(new[] { 1, 10 }, new[] { 1, 5 }, 1)]          // 2 vs 0.6
    [InlineData(new[] { 1, 10 }, new[] { 1, 19 }, 0)]         // 2 = 20/10: the earlier
    [InlineData(new[] { 2, 1, 2 }, new[] { 3, 1, 1 }, 2)]     // 2 vs 2 vs 1
    [InlineData(new[] { 2, 1, 2 }, new[] { 3, 1, 3 }, 0)]     // 2 = 2 = 2: the first
    [InlineData(new[] { 3, 2, 4 }, new[] { 5, 2, 6 }, 1)]     // 2 vs 1.5 vs 1.75
    public void Pick_WithNoIdleServer_ChoosesTheShortestExpectedDelay(int[] weights, int[] active, int expected)
    {
        var servers = ServerList.WithWeights(weights);
        var (_, service) = ServerList.Publish("nq", servers);
        for (int i = 0; i < servers.Length; i++) servers[i].SetConnections(active[i], 0);
        Assert.Same(servers[expected], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_SkipsIdleServersThatAreQuiescedOrOverloaded()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 1, upperThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
            new RealServer(IPv4Address.Parse("10.0.0.4"), 80, weight: 1),
        };
        var (_, service) = ServerList.Publish("nq", servers);
        servers[1].SetConnections(active: 0, inactive: 2);   // idle but overloaded
        servers[2].SetConnections(active: 3, inactive: 0);
        servers[3].SetConnections(active: 2, inactive: 0);
        Assert.True(servers[1].IsOverloaded);
        Assert.Same(servers[3], service.Scheduler.Pick(Client));   // no usable idle one: sed, 3 vs 4
    }

    [Fact]
    public void Pick_WhenTheIdleServerGetsBusy_FallsBackToSed_AndBackAgain()
    {
        var servers = ServerList.WithWeights(4, 1);
        var (_, service) = ServerList.Publish("nq", servers);
        servers[0].SetConnections(active: 2, inactive: 0);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));         // idle
        servers[1].Counters.ConnectionBound(active: false);
        servers[1].Counters.ConnectionActivityChanged(nowActive: true);
        Assert.Same(servers[0], service.Scheduler.Pick(Client));         // 3/4 vs 2/1
        servers[1].Counters.ConnectionUnbound(active: true);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_WithEveryServerUnavailable_ReturnsNone()
    {
        var (_, service) = ServerList.Publish("nq", ServerList.WithWeights(0, 0, 0));
        Assert.Null(service.Scheduler.Pick(Client));
        Assert.Equal("nq", service.Scheduler.Name);
    }
}
