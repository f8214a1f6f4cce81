namespace UserLvs.Scheduling;

/// <summary>
/// A virtual service as one snapshot of the table holds it: its key, scheduler, persistence and real
/// servers (in IPVS's list order, newest first), and the scheduler instance built for exactly these
/// servers. Immutable: every change builds a new one.
/// </summary>
public sealed class VirtualService
{
    internal VirtualService(VirtualServiceConfig config, IReadOnlyList<RealServer> servers, IScheduler scheduler, TrafficCounters? traffic = null)
    {
        Traffic = traffic ?? new TrafficCounters();
        Config = config;
        RealServers = servers;
        Scheduler = scheduler;
    }

    public VirtualServiceConfig Config { get; }
    public VirtualServiceKey Key => Config.Key;
    public string SchedulerName => Config.SchedulerName;
    public SchedulerFlags SchedulerFlags => Config.SchedulerFlags;
    public Persistence Persistence => Config.Persistence;

    /// <summary>The real servers in IPVS's list order: the most recently added first.</summary>
    public IReadOnlyList<RealServer> RealServers { get; }

    public IScheduler Scheduler { get; }

    /// <summary>The service's statistics; kept by every later version of the same service.</summary>
    public TrafficCounters Traffic { get; }

    public RealServer? FindRealServer(IPv4Address address, ushort port)
    {
        foreach (var server in RealServers)
            if (server.Address == address && server.Port == port) return server;
        return null;
    }

    public override string ToString() => $"{Key} {SchedulerName}";
}

/// <summary>The settings of a virtual service (ipvsadm -A/-E: -t/-u, -s, -b, -p, -M).</summary>
public sealed record VirtualServiceConfig(
    VirtualServiceKey Key,
    string SchedulerName = SchedulerNames.Default,
    SchedulerFlags SchedulerFlags = SchedulerFlags.None,
    Persistence Persistence = default)
{
    public Persistence Persistence { get; init; } = Persistence.TimeoutSeconds == 0 && Persistence.Netmask.Value == 0
        ? Persistence.None
        : Persistence;
}
