using UserLvs.Control;
using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.Nat;
using UserLvs.Scheduling;
using UserLvs.Daemon.Status;
using ConnectionView = UserLvs.Control.ConnectionInfo;
using ForwarderConnection = UserLvs.Forwarder.Connections.ConnectionInfo;

namespace UserLvs.Daemon.Control;

/// <summary>
/// The daemon's side of <see cref="IIpvsControl"/>: ipvsadm's operations applied to the live service
/// table (each change published at once; untouched services and servers keep their connections),
/// the timeouts, and the workers' connection tables for -L -c.
/// </summary>
public sealed class ControlHandler(
    ServiceTable table,
    IpvsTimeouts timeouts,
    Func<IReadOnlyList<NatWorker>> workers,
    PersistenceTemplateTable templates,
    RateEstimator rates,
    StatusBoard? status = null) : IIpvsControl
{
    private readonly StatusBoard _status = status ?? new StatusBoard(TimeProvider.System);

    private static readonly TimeSpan WorkerTimeout = TimeSpan.FromSeconds(2);

    public TableResult AddService(ServiceSettings service) =>
        ToConfig(service) is { } config ? table.AddService(config) : TableResult.InvalidArgument;

    public TableResult EditService(ServiceSettings service) =>
        ToConfig(service) is { } config ? table.EditService(config) : TableResult.InvalidArgument;

    public TableResult DeleteService(ServiceKey service) =>
        ToKey(service) is { } key ? table.DeleteService(key) : TableResult.InvalidArgument;

    public TableResult Clear()
    {
        table.Clear();
        return TableResult.Ok;
    }

    public TableResult Zero(ServiceKey? service)
    {
        var services = table.Current.Services;
        if (service is not null)
        {
            if (ToKey(service) is not { } key) return TableResult.InvalidArgument;
            var one = table.Current.Find(key);
            if (one is null) return TableResult.NoSuchService;
            services = [one];
        }
        foreach (var s in services)
        {
            s.Traffic.Zero();
            rates.Reset(s.Traffic);
            foreach (var server in s.RealServers)
            {
                server.Counters.Traffic.Zero();
                rates.Reset(server.Counters.Traffic);
            }
        }
        return TableResult.Ok;
    }

    public TableResult AddServer(ServiceKey service, ServerSettings server)
    {
        if (ToKey(service) is not { } key || !IPv4Address.TryParse(server.Address, out var address)) return TableResult.InvalidArgument;
        // Only NAT forwarding exists; userlvs-adm refuses -g and -i before asking, this guards other clients.
        if (server.ForwardingMethod != ForwardingMethod.Masquerade || server.Weight < 0) return TableResult.InvalidArgument;
        if (server.UpperThreshold != 0 && server.LowerThreshold > server.UpperThreshold) return TableResult.InvalidArgument;
        return table.AddRealServer(key, new RealServer(address, server.Port, server.Weight,
            server.UpperThreshold, server.LowerThreshold, server.ForwardingMethod));
    }

    public TableResult EditServer(ServiceKey service, ServerSettings server)
    {
        if (ToKey(service) is not { } key || !IPv4Address.TryParse(server.Address, out var address)) return TableResult.InvalidArgument;
        if (server.ForwardingMethod != ForwardingMethod.Masquerade) return TableResult.InvalidArgument;
        return table.EditRealServer(key, address, server.Port, server.Weight, server.UpperThreshold, server.LowerThreshold, server.ForwardingMethod);
    }

    public TableResult DeleteServer(ServiceKey service, string address, ushort port) =>
        ToKey(service) is { } key && IPv4Address.TryParse(address, out var rip)
            ? table.DeleteRealServer(key, rip, port)
            : TableResult.InvalidArgument;

    public TableResult SetTimeouts(Timeouts values)
    {
        // The kernel refuses what its jiffies cannot hold (EINVAL), as it refuses negatives.
        if (values.Tcp is < 0 or > IpvsTimeouts.MaxSeconds || values.TcpFin is < 0 or > IpvsTimeouts.MaxSeconds
            || values.Udp is < 0 or > IpvsTimeouts.MaxSeconds)
            return TableResult.InvalidArgument;
        timeouts.Set(values.Tcp, values.TcpFin, values.Udp);
        return TableResult.Ok;
    }

    public ServiceTableInfo GetServices() =>
        new(ServiceTableInfo.DefaultConnectionTableSize, table.Current.Services.Select(Describe).ToList());

    public ServiceInfo? GetService(ServiceKey service) =>
        ToKey(service) is { } key && table.Current.Find(key) is { } found ? Describe(found) : null;

    public IReadOnlyList<ConnectionView> GetConnections()
    {
        long now = NatWorker.NowMilliseconds;
        var found = new List<ForwarderConnection>();
        foreach (var worker in workers())
            found.AddRange(worker.Invoke(engine =>
            {
                var list = new List<ForwarderConnection>();
                engine.Connections.CopyTo(list, now);
                return list;
            }, WorkerTimeout));
        templates.CopyTo(found, now);
        return found.Select(c => new ConnectionView(c.Protocol, c.ClientAddress.ToString(), c.ClientPort,
                c.VirtualAddress.ToString(), c.VirtualPort, c.RealAddress.ToString(), c.RealPort, c.StateName,
                (uint)Math.Max(0, c.RemainingMilliseconds / 1000)))
            .ToList();
    }

    public Timeouts GetTimeouts() => new(timeouts.TcpSeconds, timeouts.TcpFinSeconds, timeouts.UdpSeconds);

    public RouterStatus GetStatus() => _status.Read();

    private ServiceInfo Describe(VirtualService service) => new(
        new ServiceSettings(service.Key.Protocol, service.Key.Address.ToString(), service.Key.Port, service.SchedulerName,
            service.SchedulerFlags, service.Persistence.TimeoutSeconds, service.Persistence.Netmask.ToString()),
        Stats(service.Traffic),
        service.RealServers.Select(server => new ServerInfo(
            new ServerSettings(server.Address.ToString(), server.Port, server.ForwardingMethod, server.Weight,
                server.UpperThreshold, server.LowerThreshold),
            (uint)Math.Max(0, server.ActiveConnections), (uint)Math.Max(0, server.InactiveConnections),
            (uint)Math.Max(0, server.Counters.Persistent), Stats(server.Counters.Traffic))).ToList());

    private StatsInfo Stats(TrafficCounters counters)
    {
        var total = counters.Read();
        var rate = rates.RatesOf(counters);
        return new StatsInfo((ulong)total.Connections, (ulong)total.PacketsIn, (ulong)total.PacketsOut,
            (ulong)total.BytesIn, (ulong)total.BytesOut,
            rate.Connections, rate.InPackets, rate.OutPackets, rate.InBytes, rate.OutBytes);
    }

    private static VirtualServiceConfig? ToConfig(ServiceSettings service)
    {
        if (!IPv4Address.TryParse(service.Address, out var address) || !IPv4Address.TryParse(service.Netmask, out var netmask))
            return null;
        var persistence = service.PersistentTimeout > 0 ? new Persistence(service.PersistentTimeout, netmask) : Persistence.None;
        return new VirtualServiceConfig(new VirtualServiceKey(service.Protocol, address, service.Port),
            service.Scheduler, service.SchedulerFlags, persistence);
    }

    private static VirtualServiceKey? ToKey(ServiceKey service) =>
        IPv4Address.TryParse(service.Address, out var address)
            ? new VirtualServiceKey(service.Protocol, address, service.Port)
            : null;
}
