using UserLvs.Adm.Control;

namespace UserLvs.Adm.Tests.Fakes;

/// <summary>
/// The daemon's side of the control interface, played by a real <see cref="ServiceTable"/>: the
/// table decides every result (ServiceExists, NoSuchDestination ...), and the listing is read back
/// from its published snapshot. Statistics, connections and timeouts, which the table does not keep,
/// are plain settable state. Every request is recorded so tests can see what userlvs-adm sent.
/// </summary>
internal sealed class ServiceTableControl : IIpvsControl
{
    private readonly Dictionary<string, StatsInfo> _stats = [];

    public ServiceTable Table { get; } = new();
    public List<object> Requests { get; } = [];
    public List<ConnectionInfo> Connections { get; } = [];
    public Timeouts Timeouts { get; private set; } = new(900, 120, 300);
    public uint ConnectionTableSize { get; set; } = 4096;

    public void SetStats(ServiceKey service, StatsInfo stats) => _stats[Name(service)] = stats;
    public void SetStats(ServiceKey service, string address, ushort port, StatsInfo stats) => _stats[Name(service, address, port)] = stats;

    public TableResult AddService(ServiceSettings service)
    {
        Requests.Add(service);
        return Table.AddService(Config(service));
    }

    public TableResult EditService(ServiceSettings service)
    {
        Requests.Add(service);
        return Table.EditService(Config(service));
    }

    public TableResult DeleteService(ServiceKey service)
    {
        Requests.Add(("DeleteService", service));
        return Table.DeleteService(Key(service));
    }

    public TableResult Clear()
    {
        Requests.Add("Clear");
        Table.Clear();
        return TableResult.Ok;
    }

    public TableResult Zero(ServiceKey? service)
    {
        Requests.Add(("Zero", service));
        if (service is null)
        {
            _stats.Clear();
            return TableResult.Ok;
        }
        if (Table.Current.Find(Key(service)) is null) return TableResult.NoSuchService;
        foreach (var name in _stats.Keys.Where(k => k.StartsWith(Name(service), StringComparison.Ordinal)).ToList())
            _stats.Remove(name);
        return TableResult.Ok;
    }

    public TableResult AddServer(ServiceKey service, ServerSettings server)
    {
        Requests.Add((service, server));
        return Table.AddRealServer(Key(service), new RealServer(IPv4Address.Parse(server.Address), server.Port, server.Weight,
            server.UpperThreshold, server.LowerThreshold, server.ForwardingMethod));
    }

    public TableResult EditServer(ServiceKey service, ServerSettings server)
    {
        Requests.Add(("EditServer", service, server));
        return Table.EditRealServer(Key(service), IPv4Address.Parse(server.Address), server.Port, server.Weight,
            server.UpperThreshold, server.LowerThreshold, server.ForwardingMethod);
    }

    public TableResult DeleteServer(ServiceKey service, string address, ushort port)
    {
        Requests.Add(("DeleteServer", service, address, port));
        return Table.DeleteRealServer(Key(service), IPv4Address.Parse(address), port);
    }

    public TableResult SetTimeouts(Timeouts timeouts)
    {
        Requests.Add(timeouts);
        Timeouts = new Timeouts(
            timeouts.Tcp != 0 ? timeouts.Tcp : Timeouts.Tcp,
            timeouts.TcpFin != 0 ? timeouts.TcpFin : Timeouts.TcpFin,
            timeouts.Udp != 0 ? timeouts.Udp : Timeouts.Udp);
        return TableResult.Ok;
    }

    public ServiceTableInfo GetServices() =>
        new(ConnectionTableSize, Table.Current.Services.Select(Info).ToList());

    public ServiceInfo? GetService(ServiceKey service) =>
        Table.Current.Find(Key(service)) is { } found ? Info(found) : null;

    public IReadOnlyList<ConnectionInfo> GetConnections() => Connections;

    public Timeouts GetTimeouts() => Timeouts;

    /// <summary>What GetStatus answers; a test sets it.</summary>
    public RouterStatus Status { get; set; } = new("standalone", "active", DateTimeOffset.UnixEpoch, "started", 0, null, null, []);

    public RouterStatus GetStatus()
    {
        Requests.Add("status");
        return Status;
    }

    private ServiceInfo Info(VirtualService service)
    {
        var settings = new ServiceSettings(service.Key.Protocol, service.Key.Address.ToString(), service.Key.Port,
            service.SchedulerName, service.SchedulerFlags, service.Persistence.TimeoutSeconds, service.Persistence.Netmask.ToString());
        var servers = service.RealServers.Select(r => new ServerInfo(
            new ServerSettings(r.Address.ToString(), r.Port, r.ForwardingMethod, r.Weight, r.UpperThreshold, r.LowerThreshold),
            (uint)r.ActiveConnections, (uint)r.InactiveConnections, (uint)r.Counters.Persistent,
            _stats.GetValueOrDefault(Name(settings.Key, r.Address.ToString(), r.Port), StatsInfo.Zero))).ToList();
        return new ServiceInfo(settings, _stats.GetValueOrDefault(Name(settings.Key), StatsInfo.Zero), servers);
    }

    private static VirtualServiceConfig Config(ServiceSettings s) =>
        new(Key(s.Key), s.Scheduler, s.SchedulerFlags, new Persistence(s.PersistentTimeout, IPv4Address.Parse(s.Netmask)));

    private static VirtualServiceKey Key(ServiceKey key) => new(key.Protocol, IPv4Address.Parse(key.Address), key.Port);

    private static string Name(ServiceKey key) => $"{key.Protocol} {key.Address}:{key.Port}";

    private static string Name(ServiceKey key, string address, ushort port) => $"{Name(key)} -> {address}:{port}";
}
