namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_lc.c: the available server with the least active*256 + inactive wins; weights do
/// not count except that weight 0 (quiesced) is skipped; on equal overhead the earlier server wins.
/// </summary>
public class LeastConnectionSchedulerTests
{
    private static readonly SchedulingRequest Client = ServerList.Client("198.51.100.1");

    // weights, active, inactive (all in list order), the index lc picks.
    [Theory]
    [InlineData(new[] { 1, 1, 1 }, new[] { 0, 0, 0 }, new[] { 0, 0, 0 }, 0)]     // all idle: the first
    [InlineData(new[] { 1, 1, 1 }, new[] { 1, 0, 0 }, new[] { 0, 300, 255 }, 2)] // 256 vs 300 vs 255
    [InlineData(new[] { 1, 1, 1 }, new[] { 1, 0, 0 }, new[] { 0, 256, 256 }, 0)] // 256 = 256 = 256: earliest
    [InlineData(new[] { 1, 1, 1 }, new[] { 2, 1, 1 }, new[] { 0, 5, 5 }, 1)]     // 512 vs 261 vs 261: earlier of the tie
    [InlineData(new[] { 5, 1, 3 }, new[] { 3, 3, 2 }, new[] { 9, 9, 40 }, 2)]    // 777 vs 777 vs 552
    [InlineData(new[] { 1, 2, 3, 4 }, new[] { 1, 1, 1, 1 }, new[] { 4, 3, 3, 3 }, 1)]
    public void Pick_ChoosesTheLeastOverhead_TiesToTheEarlierServer(int[] weights, int[] active, int[] inactive, int expected)
    {
        var servers = ServerList.WithWeights(weights);
        var (_, service) = ServerList.Publish("lc", servers);
        for (int i = 0; i < servers.Length; i++) servers[i].SetConnections(active[i], inactive[i]);
        Assert.Same(servers[expected], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_IgnoresWeight_WhereWlcWouldNot()
    {
        var servers = ServerList.WithWeights(10, 1);
        var (_, service) = ServerList.Publish("lc", servers);
        servers[0].SetConnections(active: 1, inactive: 0);   // 256 (wlc: 25.6 per weight, the better)
        servers[1].SetConnections(active: 0, inactive: 100); // 100
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_OneActiveConnectionWeighs256Inactive()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service) = ServerList.Publish("lc", servers);
        servers[0].SetConnections(active: 1, inactive: 0);
        servers[1].SetConnections(active: 0, inactive: 256);
        Assert.Same(servers[0], service.Scheduler.Pick(Client));   // 256 = 256: the earlier
        servers[1].SetConnections(active: 0, inactive: 255);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_SkipsQuiescedAndOverloadedServers_EvenWhenIdle()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 1, upperThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
        };
        var (_, service) = ServerList.Publish("lc", servers);
        servers[1].SetConnections(active: 0, inactive: 2);   // overloaded with overhead 2
        servers[2].SetConnections(active: 4, inactive: 0);   // overhead 1024
        Assert.True(servers[1].IsOverloaded);
        Assert.Same(servers[2], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_AnOverloadedServerReturnsBelowItsLowerThreshold()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 1, upperThreshold: 4, lowerThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 1),
        };
        var (_, service) = ServerList.Publish("lc", servers);
        servers[1].SetConnections(active: 10, inactive: 0);
        servers[0].SetConnections(active: 0, inactive: 4);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));   // 0 is overloaded at 4
        servers[0].SetConnections(active: 0, inactive: 2);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));   // still overloaded at 2 (not below)
        servers[0].SetConnections(active: 0, inactive: 1);
        Assert.Same(servers[0], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_FollowsEachConnectionBoundAndUnbound()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service) = ServerList.Publish("lc", servers);
        Assert.Same(servers[0], service.Scheduler.Pick(Client));
        servers[0].Counters.ConnectionBound(active: false);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
        servers[1].Counters.ConnectionBound(active: false);
        servers[1].Counters.ConnectionActivityChanged(nowActive: true);   // SYN_RECV -> ESTABLISHED
        Assert.Same(servers[0], service.Scheduler.Pick(Client));
        servers[1].Counters.ConnectionUnbound(active: true);
        Assert.Same(servers[1], service.Scheduler.Pick(Client));
    }

    [Fact]
    public void Pick_WithEveryServerUnavailable_ReturnsNone()
    {
        var (_, service) = ServerList.Publish("lc", ServerList.WithWeights(0, 0));
        Assert.Null(service.Scheduler.Pick(Client));
        Assert.Equal("lc", service.Scheduler.Name);
    }
}
