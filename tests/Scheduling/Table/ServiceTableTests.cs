namespace UserLvs.Scheduling.Tests.Table;

/// <summary>The service table as ipvsadm drives it: snapshots, IPVS's errors, list order, counters kept across changes.</summary>
public class ServiceTableTests
{
    private static readonly VirtualServiceKey Http = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);
    private static RealServer Server(string address, int weight = 1) => new(IPv4Address.Parse(address), 80, weight);

    [Fact]
    public void AddService_PublishesANewSnapshot_AndLeavesTheOldOneAsItWas()
    {
        var table = new ServiceTable();
        var before = table.Current;
        Assert.Equal(TableResult.Ok, table.AddService(new VirtualServiceConfig(Http, "rr")));
        Assert.Empty(before.Services);
        Assert.Equal(before.Generation + 1, table.Current.Generation);
        Assert.True(table.Current.TryGetService(Http, out var service));
        Assert.Equal("rr", service.SchedulerName);
        Assert.False(table.Current.TryGetService(Http with { Protocol = Protocol.Udp }, out _));
    }

    [Fact]
    public void Changes_ReportIpvsErrors_AndPublishNothing()
    {
        var table = new ServiceTable();
        table.AddService(new VirtualServiceConfig(Http));
        long generation = table.Current.Generation;
        Assert.Equal(TableResult.ServiceExists, table.AddService(new VirtualServiceConfig(Http)));
        Assert.Equal(TableResult.SchedulerNotFound, table.AddService(new VirtualServiceConfig(Http with { Port = 81 }, "nope")));
        Assert.Equal(TableResult.NoSuchService, table.DeleteService(Http with { Port = 81 }));
        table.AddRealServer(Http, Server("10.0.0.11"));
        Assert.Equal(TableResult.DestinationExists, table.AddRealServer(Http, Server("10.0.0.11")));
        Assert.Equal(TableResult.NoSuchDestination, table.DeleteRealServer(Http, IPv4Address.Parse("10.0.0.12"), 80));
        Assert.Equal(TableResult.InvalidArgument,
            table.EditRealServer(Http, IPv4Address.Parse("10.0.0.11"), 80, 1, upperThreshold: 5, lowerThreshold: 6, ForwardingMethod.Masquerade));
        Assert.Equal(generation + 1, table.Current.Generation); // only the successful AddRealServer published
    }

    [Fact]
    public void AddRealServer_PutsTheNewestFirst_AsIpvsListAddDoes()
    {
        var table = new ServiceTable();
        table.AddService(new VirtualServiceConfig(Http, "rr"));
        table.AddRealServer(Http, Server("10.0.0.11"));
        table.AddRealServer(Http, Server("10.0.0.12"));
        table.AddRealServer(Http, Server("10.0.0.13"));
        Assert.Equal(["10.0.0.13", "10.0.0.12", "10.0.0.11"],
            table.Current.Find(Http)!.RealServers.Select(s => s.Address.ToString()));
    }

    [Fact]
    public void EditRealServer_KeepsItsPlaceAndItsCounters()
    {
        var table = new ServiceTable();
        table.AddService(new VirtualServiceConfig(Http));
        var first = Server("10.0.0.11");
        table.AddRealServer(Http, first);
        table.AddRealServer(Http, Server("10.0.0.12"));
        first.Counters.ConnectionBound(active: true);
        table.EditRealServer(Http, first.Address, 80, 7, 100, 50, ForwardingMethod.Masquerade);
        var edited = table.Current.Find(Http)!.RealServers[1];
        Assert.Equal((7, 100u, 50u), (edited.Weight, edited.UpperThreshold, edited.LowerThreshold));
        Assert.Same(first.Counters, edited.Counters);
        Assert.Equal(1, edited.ActiveConnections);
    }

    [Fact]
    public void DeleteRealServer_TakesNoNewConnections_WhileItsConnectionsKeepTheirServer()
    {
        var table = new ServiceTable();
        table.AddService(new VirtualServiceConfig(Http, "rr"));
        var leaving = Server("10.0.0.11");
        table.AddRealServer(Http, leaving);
        table.AddRealServer(Http, Server("10.0.0.12"));
        leaving.Counters.ConnectionBound(active: true); // an established connection still points at it
        table.DeleteRealServer(Http, leaving.Address, 80);
        var service = table.Current.Find(Http)!;
        for (int i = 0; i < 10; i++)
            Assert.Equal("10.0.0.12", service.Scheduler.Pick(ServerList.Client("198.51.100.1"))!.Address.ToString());
        leaving.Counters.ConnectionUnbound(active: true); // ending it later is harmless
        Assert.Equal(0, leaving.ActiveConnections);
    }

    [Fact]
    public void Replace_KeepsUnchangedServicesAndServersAsTheyWere()
    {
        var table = new ServiceTable();
        var dns = new VirtualServiceKey(Protocol.Udp, IPv4Address.Parse("192.0.2.10"), 53);
        table.Replace([
            (new VirtualServiceConfig(Http, "wlc"), [Server("10.0.0.11"), Server("10.0.0.12")]),
            (new VirtualServiceConfig(dns, "rr"), [Server("10.0.0.21")]),
        ]);
        var httpBefore = table.Current.Find(Http)!;
        var dnsBefore = table.Current.Find(dns)!;
        // The reload changes one weight of the DNS service and nothing of the HTTP one.
        table.Replace([
            (new VirtualServiceConfig(Http, "wlc"), [Server("10.0.0.11"), Server("10.0.0.12")]),
            (new VirtualServiceConfig(dns, "rr"), [Server("10.0.0.21", weight: 5)]),
        ]);
        Assert.Same(httpBefore, table.Current.Find(Http));
        var dnsAfter = table.Current.Find(dns)!;
        Assert.NotSame(dnsBefore, dnsAfter);
        Assert.Equal(5, dnsAfter.RealServers[0].Weight);
        Assert.Same(dnsBefore.RealServers[0].Counters, dnsAfter.RealServers[0].Counters);
        table.Replace([(new VirtualServiceConfig(dns, "rr"), [Server("10.0.0.21", weight: 5)])]);
        Assert.Null(table.Current.Find(Http));
    }

    [Fact]
    public void Published_IsRaisedOncePerChange()
    {
        var table = new ServiceTable();
        var seen = new List<long>();
        table.Published += snapshot => seen.Add(snapshot.Generation);
        table.AddService(new VirtualServiceConfig(Http));
        table.AddService(new VirtualServiceConfig(Http)); // refused: no publish
        table.Clear();
        Assert.Equal([1L, 2L], seen);
    }

    [Fact]
    public void AServerAddedBackWhileItsConnectionsLive_KeepsItsCounters_AsIpvsTrashDoes()
    {
        var table = new ServiceTable();
        table.AddService(new VirtualServiceConfig(Http, "rr"));
        var server = Server("10.0.0.11");
        table.AddRealServer(Http, server);
        server.Counters.ConnectionBound(active: true);   // a connection outlives the server's removal
        table.Clear();
        table.AddService(new VirtualServiceConfig(Http, "rr"));
        table.AddRealServer(Http, Server("10.0.0.11"));   // ipvsadm -R after -C
        var back = table.Current.Find(Http)!.RealServers[0];
        Assert.Same(server.Counters, back.Counters);
        Assert.Equal(1, back.ActiveConnections);

        back.Counters.ConnectionUnbound(active: true);   // once idle, a removed server is forgotten
        table.DeleteRealServer(Http, back.Address, 80);
        table.AddRealServer(Http, Server("10.0.0.12"));   // any change empties the trash of idle servers
        table.AddRealServer(Http, Server("10.0.0.11"));
        Assert.NotSame(server.Counters, table.Current.Find(Http)!.RealServers[0].Counters);
    }
}
