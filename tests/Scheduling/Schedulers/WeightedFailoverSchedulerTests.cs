namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_fo.c: every new connection goes to the non-overloaded server of highest weight
/// (weight 0 never); on equal weights the earlier server in the list. Connection counts matter only
/// through the overload flag.
/// </summary>
public class WeightedFailoverSchedulerTests
{
    private static readonly VirtualServiceKey Key = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);

    private static RealServer? Pick(IScheduler scheduler) => scheduler.Pick(ServerList.Client("198.51.100.1"));

    [Fact]
    public void Pick_SendsEveryConnectionToTheHighestWeight()
    {
        var servers = ServerList.WithWeights(1, 5, 3);
        var (_, service) = ServerList.Publish("fo", servers);
        for (int i = 0; i < 5; i++)
        {
            Assert.Same(servers[1], Pick(service.Scheduler));
            servers[1].Counters.ConnectionBound(active: true);
        }
        Assert.Same(servers[1], Pick(service.Scheduler));   // 5 active connections do not move it
    }

    [Fact]
    public void Pick_OnEqualWeights_TheEarlierServerWins()
    {
        var servers = ServerList.WithWeights(2, 5, 5);
        var (_, service) = ServerList.Publish("fo", servers);
        Assert.Same(servers[1], Pick(service.Scheduler));
    }

    [Fact]
    public void Pick_WhenTheHighestIsOverloaded_FailsOverToTheNextHighest_AndBackWhenItRecovers()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 1),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 5, upperThreshold: 4, lowerThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 3),
        };
        var (_, service) = ServerList.Publish("fo", servers);
        servers[1].SetConnections(active: 3, inactive: 1);   // 4 connections: at its upper threshold
        Assert.Same(servers[2], Pick(service.Scheduler));
        servers[1].SetConnections(active: 2, inactive: 0);   // not yet below the lower threshold
        Assert.Same(servers[2], Pick(service.Scheduler));
        servers[1].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[1], Pick(service.Scheduler));
    }

    [Fact]
    public void Pick_NeverChoosesAQuiescedServer()
    {
        var servers = ServerList.WithWeights(0, 1);
        var (_, service) = ServerList.Publish("fo", servers);
        Assert.Same(servers[1], Pick(service.Scheduler));
        var (_, quiesced) = ServerList.Publish("fo", ServerList.WithWeights(0, 0));
        Assert.Null(Pick(quiesced.Scheduler));
    }

    [Fact]
    public void Pick_WithEveryServerOverloaded_ReturnsNone()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 2, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 1, upperThreshold: 1),
        };
        var (_, service) = ServerList.Publish("fo", servers);
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[1], Pick(service.Scheduler));
        servers[1].SetConnections(active: 0, inactive: 1);
        Assert.Null(Pick(service.Scheduler));
    }

    [Fact]
    public void Pick_FollowsWeightEditsAndDeletions()
    {
        var servers = ServerList.WithWeights(1, 5, 3);
        var (table, _) = ServerList.Publish("fo", servers);
        Assert.Equal(TableResult.Ok, table.EditRealServer(Key, servers[0].Address, 80, 7, 0, 0, ForwardingMethod.Masquerade));
        Assert.Equal(servers[0].Address, Pick(table.Current.Find(Key)!.Scheduler)!.Address);
        Assert.Equal(TableResult.Ok, table.DeleteRealServer(Key, servers[0].Address, 80));
        Assert.Equal(servers[1].Address, Pick(table.Current.Find(Key)!.Scheduler)!.Address);
    }
}
