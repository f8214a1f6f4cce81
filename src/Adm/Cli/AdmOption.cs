namespace UserLvs.Adm.Cli;

/// <summary>
/// ipvsadm's option classes (OPTC_*), in its order: the bit positions of its option mask, the
/// columns of its command/option table, and the names its messages use ("service-address", ...).
/// Several switches share one class: -t/-u/-f are all "service-address", -m/-g/-i "forwarding-method".
/// </summary>
internal enum AdmOption
{
    Numeric, Connection, Service, Scheduler, Persistent, Netmask, Server, Forward, Weight,
    UThreshold, LThreshold, McastInterface, Timeout, Daemon, Stats, Rate, Thresholds, PersistentConn,
    NoSort, SyncId, Exact, OnePacket, PersistenceEngine, SchedFlags, McastGroup, McastPort, McastTtl,
    SyncMaxlen, TunInfo, TunType, TunPort, TunNoCsum, TunCsum, TunRemCsum,
}

internal static class AdmOptionNames
{
    public const int Count = 34;

    private static readonly string[] Names =
    [
        "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
        "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
        "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops", "pe",
        "sched-flags", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
        "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum",
    ];

    public static string Name(this AdmOption option) => Names[(int)option];

    public static ulong Bit(this AdmOption option) => 1UL << (int)option;
}
