namespace UserLvs.Control;

/// <summary>
/// Control protocol: one real server as ipvsadm -L shows it: its settings, its connection counters
/// (active = TCP ESTABLISHED, inactive = the rest, persistent = templates) and its statistics.
/// </summary>
public sealed record ServerInfo(
    ServerSettings Settings,
    uint ActiveConnections,
    uint InactiveConnections,
    uint PersistentConnections,
    StatsInfo Stats);
