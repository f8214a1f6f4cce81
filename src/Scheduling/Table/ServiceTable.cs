namespace UserLvs.Scheduling;

/// <summary>
/// The live service table. Readers (packet workers) take <see cref="Current"/>, an immutable
/// snapshot published with one reference write. Writers (ipvsadm commands, config reloads, nanny)
/// serialise on a control-plane lock, build a new snapshot in which only the changed services get a
/// new scheduler, rebind those services' counters to it, and publish.
/// </summary>
public sealed class ServiceTable
{
    private readonly object _writeLock = new();
    private readonly TimeProvider _time;
    private readonly IRandomSource? _random;
    private ServiceTableSnapshot _current = ServiceTableSnapshot.Empty;

    // IPVS's destination trash (ip_vs_trash_get_dest): a removed server whose connections still live
    // keeps its counters here, and adding the same server to the same service again takes them back,
    // so ActiveConn/InActConn stay true across -d/-a, -C/-R and reloads. Emptied of servers without
    // connections at every change.
    private readonly Dictionary<(VirtualServiceKey Service, IPv4Address Address, ushort Port), RealServerCounters> _trash = [];

    public ServiceTable(TimeProvider? time = null, IRandomSource? random = null)
    {
        _time = time ?? TimeProvider.System;
        _random = random;
    }

    public ServiceTableSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after every publish, on the writer's thread (health monitors and sync follow the table).</summary>
    public event Action<ServiceTableSnapshot>? Published;

    public TableResult AddService(VirtualServiceConfig config) => Change(services =>
    {
        // As the kernel's do_ip_vs_set_ctl: the service's existence is checked before its scheduler.
        if (services.Exists(s => s.Key == config.Key)) return TableResult.ServiceExists;
        if (!SchedulerRegistry.IsKnown(config.SchedulerName)) return TableResult.SchedulerNotFound;
        services.Add(Build(config, [], previous: null));
        return TableResult.Ok;
    });

    /// <summary>ipvsadm -E: new scheduler, flags or persistence for an existing service; its servers and their counters stay.</summary>
    public TableResult EditService(VirtualServiceConfig config) => Change(services =>
    {
        int i = services.FindIndex(s => s.Key == config.Key);
        if (i < 0) return TableResult.NoSuchService;
        if (!SchedulerRegistry.IsKnown(config.SchedulerName)) return TableResult.SchedulerNotFound;
        services[i] = Build(config, services[i].RealServers, services[i]);
        return TableResult.Ok;
    });

    public TableResult DeleteService(VirtualServiceKey key) => Change(services =>
    {
        int i = services.FindIndex(s => s.Key == key);
        if (i < 0) return TableResult.NoSuchService;
        Unbind(key, services[i].RealServers);
        services.RemoveAt(i);
        return TableResult.Ok;
    });

    /// <summary>ipvsadm -C: removes every service.</summary>
    public void Clear() => Change(services =>
    {
        foreach (var service in services) Unbind(service.Key, service.RealServers);
        services.Clear();
        return TableResult.Ok;
    });

    /// <summary>ipvsadm -a: the new server goes to the head of the list, as IPVS's list_add does.</summary>
    public TableResult AddRealServer(VirtualServiceKey key, RealServer server) => Change(services =>
    {
        int i = services.FindIndex(s => s.Key == key);
        if (i < 0) return TableResult.NoSuchService;
        if (services[i].FindRealServer(server.Address, server.Port) is not null) return TableResult.DestinationExists;
        services[i] = Build(services[i].Config, [FromTrash(key, server), .. services[i].RealServers], services[i]);
        return TableResult.Ok;
    });

    /// <summary>ipvsadm -e: new weight, thresholds or method; the server keeps its place and its counters.</summary>
    public TableResult EditRealServer(VirtualServiceKey key, IPv4Address address, ushort port,
        int weight, uint upperThreshold, uint lowerThreshold, ForwardingMethod method) => Change(services =>
    {
        int i = services.FindIndex(s => s.Key == key);
        if (i < 0) return TableResult.NoSuchService;
        var servers = services[i].RealServers.ToList();
        int j = servers.FindIndex(s => s.Address == address && s.Port == port);
        if (j < 0) return TableResult.NoSuchDestination;
        if (weight < 0 || (upperThreshold != 0 && lowerThreshold > upperThreshold)) return TableResult.InvalidArgument;
        servers[j] = servers[j].With(weight, upperThreshold, lowerThreshold, method);
        services[i] = Build(services[i].Config, servers, services[i]);
        return TableResult.Ok;
    });

    /// <summary>
    /// ipvsadm -d: the server takes no new connections at once; connections already bound to it keep
    /// their reference to it and finish, as IPVS keeps a deleted destination in its trash.
    /// </summary>
    public TableResult DeleteRealServer(VirtualServiceKey key, IPv4Address address, ushort port) => Change(services =>
    {
        int i = services.FindIndex(s => s.Key == key);
        if (i < 0) return TableResult.NoSuchService;
        var servers = services[i].RealServers.ToList();
        int j = servers.FindIndex(s => s.Address == address && s.Port == port);
        if (j < 0) return TableResult.NoSuchDestination;
        Unbind(key, [servers[j]]);
        servers.RemoveAt(j);
        services[i] = Build(services[i].Config, servers, services[i]);
        return TableResult.Ok;
    });

    /// <summary>
    /// Replaces the whole table with a desired one (a config reload, ipvsadm -R after -C) as a diff:
    /// services and servers that are unchanged keep their objects, schedulers and counters; changed
    /// ones keep their counters; only what is gone is dropped.
    /// </summary>
    public void Replace(IReadOnlyList<(VirtualServiceConfig Config, IReadOnlyList<RealServer> Servers)> desired) => Change(services =>
    {
        foreach (var (config, _) in desired)
            if (!SchedulerRegistry.IsKnown(config.SchedulerName))
                throw new ArgumentException($"unknown scheduler '{config.SchedulerName}' for {config.Key}");
        var next = new List<VirtualService>(desired.Count);
        foreach (var (config, wanted) in desired)
        {
            var old = services.Find(s => s.Key == config.Key);
            var merged = wanted.Select(w => old?.FindRealServer(w.Address, w.Port) is { } o
                ? (Same(o, w) ? o : o.With(w.Weight, w.UpperThreshold, w.LowerThreshold, w.ForwardingMethod))
                : FromTrash(config.Key, w)).ToList();
            bool unchanged = old is not null && old.Config == config && merged.Count == old.RealServers.Count
                && merged.Zip(old.RealServers).All(p => ReferenceEquals(p.First, p.Second));
            next.Add(unchanged ? old! : Build(config, merged, old));
        }
        foreach (var gone in services)
        {
            var kept = next.Find(s => s.Key == gone.Key);
            Unbind(gone.Key, gone.RealServers.Where(r => kept?.FindRealServer(r.Address, r.Port) is null).ToList());
        }
        services.Clear();
        services.AddRange(next);
        return TableResult.Ok;
    });

    private static bool Same(RealServer a, RealServer b) =>
        a.Weight == b.Weight && a.UpperThreshold == b.UpperThreshold && a.LowerThreshold == b.LowerThreshold
        && a.ForwardingMethod == b.ForwardingMethod;

    private TableResult Change(Func<List<VirtualService>, TableResult> edit)
    {
        ServiceTableSnapshot published;
        lock (_writeLock)
        {
            var current = Current;
            var services = current.Services.ToList();
            EmptyTrash();
            var result = edit(services);
            if (result != TableResult.Ok) return result;
            var changed = services.Where(s => !current.Services.Contains(s)).ToList();
            published = new ServiceTableSnapshot(services, current.Generation + 1);
            // Counters follow the new schedulers before readers can see them, then each new
            // scheduler re-reads every counter so no change made in between is lost.
            foreach (var service in changed)
            {
                var listener = service.Scheduler as ICounterListener;
                for (int i = 0; i < service.RealServers.Count; i++)
                {
                    var server = service.RealServers[i];
                    server.Counters.Bind(new CounterBinding(listener, i, server.UpperThreshold, server.LowerThreshold));
                }
                listener?.RefreshAll();
            }
            Volatile.Write(ref _current, published);
            // Schedulers of replaced or removed services stop their timers (lblc/lblcr garbage
            // collection); a worker still holding the old snapshot may finish its picks on them.
            foreach (var old in current.Services)
                if (!services.Contains(old)) (old.Scheduler as IDisposable)?.Dispose();
        }
        Published?.Invoke(published);
        return TableResult.Ok;
    }

    private VirtualService Build(VirtualServiceConfig config, IReadOnlyList<RealServer> servers, VirtualService? previous)
    {
        var list = servers.ToArray();
        var context = new SchedulerContext(list, config.SchedulerFlags, _time, _random,
            previous?.SchedulerName == config.SchedulerName ? previous.Scheduler : null);
        return new VirtualService(config, list, SchedulerRegistry.Create(config.SchedulerName, context), previous?.Traffic);
    }

    private void Unbind(VirtualServiceKey service, IReadOnlyList<RealServer> servers)
    {
        foreach (var server in servers)
        {
            server.Counters.Bind(null);
            _trash[(service, server.Address, server.Port)] = server.Counters;
        }
    }

    /// <summary>The server as given, or with the counters it had when it was removed while its connections lived on.</summary>
    private RealServer FromTrash(VirtualServiceKey service, RealServer server)
    {
        if (!_trash.Remove((service, server.Address, server.Port), out var counters)) return server;
        return new RealServer(server.Address, server.Port, server.Weight, server.UpperThreshold, server.LowerThreshold,
            server.ForwardingMethod, counters);
    }

    private void EmptyTrash()
    {
        foreach (var (key, counters) in _trash)
            if (counters.Total == 0 && counters.Persistent == 0) _trash.Remove(key);
    }
}
