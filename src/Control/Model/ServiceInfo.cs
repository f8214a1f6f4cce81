namespace UserLvs.Control;

/// <summary>
/// Control protocol: one virtual service as ipvsadm -L shows it, with its real servers in the
/// table's own order (IPVS's list order, newest first); ipvsadm sorts them itself unless --nosort.
/// </summary>
public sealed record ServiceInfo(
    ServiceSettings Settings,
    StatsInfo Stats,
    IReadOnlyList<ServerInfo> Servers);
