using UserLvs.Control;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Control;

/// <summary>
/// ipvsadm's operations through the real socket, as userlvs-adm sends them (ControlClient -> one JSON
/// line each way -> ControlServer -> ControlHandler -> the live ServiceTable), read back as ipvsadm -L
/// reads them. The answers are IPVS's: a new real server goes to the head of its service's list
/// (list_add), a failed operation returns the kernel's error (EEXIST, ESRCH, ENOENT) as a
/// <see cref="TableResult"/>, -Z zeroes statistics, --set's 0 keeps a timeout.
/// </summary>
public class ControlRoundTripTests : IDisposable
{
    private static readonly ServiceKey Web = new(Protocol.Tcp, "192.0.2.10", 80);
    private static readonly ServiceKey Dns = new(Protocol.Udp, "192.0.2.11", 53);
    private readonly ControlSocket _control = new();
    private readonly ControlClient _client;

    public ControlRoundTripTests() => _client = _control.Connect();

    public void Dispose()
    {
        _client.Dispose();
        _control.Dispose();
    }

    private T Call<T>(Func<ControlClient, T> call) => ControlSocket.Off(() => call(_client));

    private static ServerSettings Server(string address, int weight, ushort port = 80) => new(address, port, ForwardingMethod.Masquerade, weight);

    [Fact]
    public void AddEditDelete_ThenGetServices_ShowsExactlyTheTable_NewestServerFirst()
    {
        var web = new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "wlc", PersistentTimeout: 300, Netmask: "255.255.255.0");
        var dns = new ServiceSettings(Protocol.Udp, "192.0.2.11", 53, "sh", SchedulerFlags.Flag1);
        Assert.Equal(TableResult.Ok, Call(c => c.AddService(web)));
        Assert.Equal(TableResult.Ok, Call(c => c.AddService(dns)));
        Assert.Equal(TableResult.Ok, Call(c => c.AddServer(Web, Server("10.0.0.11", 1))));
        Assert.Equal(TableResult.Ok, Call(c => c.AddServer(Web, Server("10.0.0.12", 2))));
        Assert.Equal(TableResult.Ok, Call(c => c.AddServer(Web, Server("10.0.0.13", 3) with { UpperThreshold = 100, LowerThreshold = 50 })));
        Assert.Equal(TableResult.Ok, Call(c => c.AddServer(Dns, Server("10.0.0.21", 1, port: 53))));
        Assert.Equal(TableResult.Ok, Call(c => c.EditServer(Web, Server("10.0.0.12", 5))));
        Assert.Equal(TableResult.Ok, Call(c => c.DeleteServer(Web, "10.0.0.11", 80)));

        var table = Call(c => c.GetServices());

        Assert.Equal(ServiceTableInfo.DefaultConnectionTableSize, table.ConnectionTableSize);
        Assert.Equal([web, dns], table.Services.Select(s => s.Settings));
        Assert.Equal([Server("10.0.0.13", 3) with { UpperThreshold = 100, LowerThreshold = 50 }, Server("10.0.0.12", 5)],
            table.Services[0].Servers.Select(s => s.Settings));
        Assert.Equal([Server("10.0.0.21", 1, port: 53)], table.Services[1].Servers.Select(s => s.Settings));
        Assert.All(table.Services.SelectMany(s => s.Servers), s => Assert.Equal((0u, 0u, 0u, StatsInfo.Zero), (s.ActiveConnections, s.InactiveConnections, s.PersistentConnections, s.Stats)));
        // What the control socket says is what the data plane sees.
        var live = _control.Table.Current.Find(new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80))!;
        Assert.Equal(["10.0.0.13:80 w3", "10.0.0.12:80 w5"], live.RealServers.Select(s => $"{s.Address}:{s.Port} w{s.Weight}"));
        Assert.Equal("wlc", live.SchedulerName);
        Assert.Equal(new Persistence(300, IPv4Address.Parse("255.255.255.0")), live.Persistence);
    }

    [Fact]
    public void GetService_ReturnsThatService_OrNullWhenThereIsNone()
    {
        var web = new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr");
        Call(c => c.AddService(web));
        Call(c => c.AddServer(Web, Server("10.0.0.11", 4)));

        var found = Call(c => c.GetService(Web));

        Assert.NotNull(found);
        Assert.Equal(web, found.Settings);
        Assert.Equal([Server("10.0.0.11", 4)], found.Servers.Select(s => s.Settings));
        Assert.Null(Call(c => c.GetService(Dns)));
    }

    [Fact]
    public void EditService_ChangesSchedulerAndPersistence_AndKeepsTheServers()
    {
        Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        Call(c => c.AddServer(Web, Server("10.0.0.11", 1)));
        Call(c => c.AddServer(Web, Server("10.0.0.12", 2)));
        var edited = new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "wrr", PersistentTimeout: 60);

        Assert.Equal(TableResult.Ok, Call(c => c.EditService(edited)));

        var service = Call(c => c.GetService(Web))!;
        Assert.Equal(edited, service.Settings);
        Assert.Equal([Server("10.0.0.12", 2), Server("10.0.0.11", 1)], service.Servers.Select(s => s.Settings));
    }

    [Fact]
    public void DeleteService_AndClear_EmptyTheTable()
    {
        Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        Call(c => c.AddService(new ServiceSettings(Protocol.Udp, "192.0.2.11", 53, "rr")));

        Assert.Equal(TableResult.Ok, Call(c => c.DeleteService(Web)));
        Assert.Equal([Dns], Call(c => c.GetServices()).Services.Select(s => s.Settings.Key));
        Assert.Equal(TableResult.Ok, Call(c => c.Clear()));
        Assert.Empty(Call(c => c.GetServices()).Services);
        Assert.Equal(0, _control.Table.Current.Count);
    }

    [Fact]
    public void FailedOperations_ReturnIpvsErrors_AndChangeNothing()
    {
        Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        Call(c => c.AddServer(Web, Server("10.0.0.11", 1)));
        long generation = _control.Table.Current.Generation;

        Assert.Equal(TableResult.ServiceExists, Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "wlc"))));
        Assert.Equal(TableResult.SchedulerNotFound, Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 81, "nosuch"))));
        Assert.Equal(TableResult.SchedulerNotFound, Call(c => c.EditService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "nosuch"))));
        Assert.Equal(TableResult.NoSuchService, Call(c => c.EditService(new ServiceSettings(Protocol.Udp, "192.0.2.11", 53, "rr"))));
        Assert.Equal(TableResult.NoSuchService, Call(c => c.DeleteService(Dns)));
        Assert.Equal(TableResult.NoSuchService, Call(c => c.Zero(Dns)));
        Assert.Equal(TableResult.NoSuchService, Call(c => c.AddServer(Dns, Server("10.0.0.21", 1, port: 53))));
        Assert.Equal(TableResult.NoSuchService, Call(c => c.EditServer(Dns, Server("10.0.0.21", 1, port: 53))));
        Assert.Equal(TableResult.NoSuchService, Call(c => c.DeleteServer(Dns, "10.0.0.21", 53)));
        Assert.Equal(TableResult.DestinationExists, Call(c => c.AddServer(Web, Server("10.0.0.11", 7))));
        Assert.Equal(TableResult.NoSuchDestination, Call(c => c.EditServer(Web, Server("10.0.0.12", 1))));
        Assert.Equal(TableResult.NoSuchDestination, Call(c => c.DeleteServer(Web, "10.0.0.11", 8080)));
        Assert.Equal(TableResult.InvalidArgument, Call(c => c.AddServer(Web, Server("10.0.0.12", 1) with { UpperThreshold = 10, LowerThreshold = 20 })));
        Assert.Equal(TableResult.InvalidArgument, Call(c => c.AddServer(Web, Server("10.0.0.12", 1) with { ForwardingMethod = ForwardingMethod.DirectRoute })));
        Assert.Equal(TableResult.InvalidArgument, Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "not-an-address", 80, "rr"))));

        Assert.Equal(generation, _control.Table.Current.Generation);
        var service = Assert.Single(Call(c => c.GetServices()).Services);
        Assert.Equal("rr", service.Settings.Scheduler);
        Assert.Equal([Server("10.0.0.11", 1)], service.Servers.Select(s => s.Settings));
    }

    [Fact]
    public void Timeouts_DefaultToIpvs_AndSetKeepsAValueGivenAsZero()
    {
        Assert.Equal(new Timeouts(900, 120, 300), Call(c => c.GetTimeouts()));

        Assert.Equal(TableResult.Ok, Call(c => c.SetTimeouts(new Timeouts(600, 0, 60))));

        Assert.Equal(new Timeouts(600, 120, 60), Call(c => c.GetTimeouts()));
        Assert.Equal(600_000, _control.Timeouts.TcpMilliseconds(UserLvs.Forwarder.Connections.TcpState.Established));
        Assert.Equal(TableResult.InvalidArgument, Call(c => c.SetTimeouts(new Timeouts(-1, 0, 0))));
        Assert.Equal(new Timeouts(600, 120, 60), Call(c => c.GetTimeouts()));
    }

    [Fact]
    public void SetTimeouts_AboveIntMaxOverHz_IsIpvsEinval_NotABrokenConnection()
    {
        // The kernel refuses a timeout above INT_MAX / HZ with EINVAL, an ordinary failed operation.
        Assert.Equal(TableResult.InvalidArgument, Call(c => c.SetTimeouts(new Timeouts(int.MaxValue, 0, 0))));
        Assert.Equal(new Timeouts(900, 120, 300), Call(c => c.GetTimeouts()));
    }

    [Fact]
    public void Stats_TravelToTheClient_AndZeroResetsThemPerServiceOrAll()
    {
        Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        Call(c => c.AddService(new ServiceSettings(Protocol.Udp, "192.0.2.11", 53, "rr")));
        Call(c => c.AddServer(Web, Server("10.0.0.11", 1)));
        Call(c => c.AddServer(Dns, Server("10.0.0.21", 1, port: 53)));
        var web = _control.Table.Current.Services[0];
        var dns = _control.Table.Current.Services[1];
        Add(web.Traffic, 3, 30, 20, 3000, 20000);
        Add(web.RealServers[0].Counters.Traffic, 3, 30, 20, 3000, 20000);
        Add(dns.Traffic, 5, 5, 5, 400, 900);
        Add(dns.RealServers[0].Counters.Traffic, 5, 5, 5, 400, 900);

        var before = Call(c => c.GetServices());
        Assert.Equal(new StatsInfo(3, 30, 20, 3000, 20000), before.Services[0].Stats);
        Assert.Equal(new StatsInfo(3, 30, 20, 3000, 20000), before.Services[0].Servers[0].Stats);
        Assert.Equal(new StatsInfo(5, 5, 5, 400, 900), before.Services[1].Stats);

        Assert.Equal(TableResult.Ok, Call(c => c.Zero(Web)));
        var afterOne = Call(c => c.GetServices());
        Assert.Equal(StatsInfo.Zero, afterOne.Services[0].Stats);
        Assert.Equal(StatsInfo.Zero, afterOne.Services[0].Servers[0].Stats);
        Assert.Equal(new StatsInfo(5, 5, 5, 400, 900), afterOne.Services[1].Stats);
        Assert.Equal(new StatsInfo(5, 5, 5, 400, 900), afterOne.Services[1].Servers[0].Stats);

        Assert.Equal(TableResult.Ok, Call(c => c.Zero(null)));
        var afterAll = Call(c => c.GetServices());
        Assert.All(afterAll.Services, s => Assert.Equal(StatsInfo.Zero, s.Stats));
        Assert.All(afterAll.Services.SelectMany(s => s.Servers), s => Assert.Equal(StatsInfo.Zero, s.Stats));
    }

    [Fact]
    public void ConnectionCounters_ShowAsActiveInactivePersistent()
    {
        Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        Call(c => c.AddServer(Web, Server("10.0.0.11", 1)));
        var counters = _control.Table.Current.Services[0].RealServers[0].Counters;
        counters.ConnectionBound(active: true);
        counters.ConnectionBound(active: true);
        counters.ConnectionBound(active: false);

        var server = Assert.Single(Call(c => c.GetService(Web))!.Servers);

        Assert.Equal((2u, 1u, 0u), (server.ActiveConnections, server.InactiveConnections, server.PersistentConnections));
        Assert.Empty(Call(c => c.GetConnections())); // no workers, no templates: ipvsadm -L -c lists nothing
    }

    [Fact]
    public void Rates_TheEstimatorsFigures_TravelToTheClient()
    {
        Call(c => c.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        Call(c => c.AddServer(Web, Server("10.0.0.11", 1)));
        var service = _control.Table.Current.Services[0];
        _control.Rates.Sample();
        Add(service.Traffic, 80, 800, 400, 80_000, 400_000);
        Add(service.RealServers[0].Counters.Traffic, 80, 800, 400, 80_000, 400_000);
        _control.Rates.Sample();

        var shown = Call(c => c.GetService(Web))!;

        // One 2-second period from nothing: a quarter of the period's rate (80/2/4 = 10 per second).
        var expected = new StatsInfo(80, 800, 400, 80_000, 400_000, 10, 100, 50, 10_000, 50_000);
        Assert.Equal(expected, shown.Stats);
        Assert.Equal(expected, shown.Servers[0].Stats);
    }

    private static void Add(TrafficCounters counters, long connections, long packetsIn, long packetsOut, long bytesIn, long bytesOut)
    {
        ref var stripe = ref counters.For(0);
        stripe.Connections += connections;
        stripe.PacketsIn += packetsIn;
        stripe.PacketsOut += packetsOut;
        stripe.BytesIn += bytesIn;
        stripe.BytesOut += bytesOut;
    }
}
