namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>IPVS's ip_vs_wlc.c: least (active*256 + inactive) / weight, ties to the earlier server.</summary>
public class WeightedLeastConnectionSchedulerTests
{
    [Fact]
    public void Pick_ChoosesLeastOverheadPerWeight()
    {
        var servers = ServerList.WithWeights(1, 3, 2);
        var (_, service) = ServerList.Publish("wlc", servers);
        servers[0].SetConnections(active: 1, inactive: 0);   // 256 / 1 = 256
        servers[1].SetConnections(active: 2, inactive: 0);   // 512 / 3 = 170.7
        servers[2].SetConnections(active: 1, inactive: 10);  // 266 / 2 = 133
        Assert.Same(servers[2], service.Scheduler.Pick(ServerList.Client("198.51.100.1")));
    }

    [Fact]
    public void Pick_OnEqualOverheadPerWeight_TheEarlierServerWins()
    {
        var servers = ServerList.WithWeights(2, 1, 2);
        var (_, service) = ServerList.Publish("wlc", servers);
        servers[0].SetConnections(active: 2, inactive: 0);   // 512 / 2 = 256
        servers[1].SetConnections(active: 1, inactive: 0);   // 256 / 1 = 256
        servers[2].SetConnections(active: 2, inactive: 0);   // 512 / 2 = 256
        Assert.Same(servers[0], service.Scheduler.Pick(ServerList.Client("198.51.100.1")));
    }

    [Fact]
    public void Pick_SkipsQuiescedAndOverloadedServers()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 0),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 5, upperThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
        };
        var (_, service) = ServerList.Publish("wlc", servers);
        servers[1].SetConnections(active: 2, inactive: 0);   // at its upper threshold: overloaded
        servers[2].SetConnections(active: 5, inactive: 0);
        Assert.True(servers[1].IsOverloaded);
        Assert.Same(servers[2], service.Scheduler.Pick(ServerList.Client("198.51.100.1")));
    }

    [Fact]
    public void Pick_WithEveryServerQuiesced_ReturnsNone()
    {
        var (_, service) = ServerList.Publish("wlc", ServerList.WithWeights(0, 0));
        Assert.Null(service.Scheduler.Pick(ServerList.Client("198.51.100.1")));
    }

    [Fact]
    public void Pick_FollowsCountersAcrossAWeightChange()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (table, _) = ServerList.Publish("wlc", servers);
        servers[0].SetConnections(active: 3, inactive: 0);
        servers[1].SetConnections(active: 2, inactive: 0);
        var key = table.Current.Services[0].Key;
        // Tripling server 0's weight makes it the least loaded per weight (768/3 < 512/1).
        Assert.Equal(TableResult.Ok, table.EditRealServer(key, servers[0].Address, 80, 3, 0, 0, ForwardingMethod.Masquerade));
        var service = table.Current.Find(key)!;
        Assert.Equal(servers[0].Address, service.Scheduler.Pick(ServerList.Client("198.51.100.1"))!.Address);
        // Counters changed after the edit reach the new scheduler.
        service.RealServers[0].SetConnections(active: 9, inactive: 0);
        Assert.Equal(servers[1].Address, service.Scheduler.Pick(ServerList.Client("198.51.100.1"))!.Address);
    }
}
