namespace UserLvs.Adm.Cli;

/// <summary>Which switch the scanner recognised: one per entry of ipvsadm's popt option table.</summary>
internal enum Switch
{
    AddService, EditService, DeleteService, Clear, List, Zero, AddServer, EditServer, DeleteServer,
    Set, Help, Version, Restore, Save, StartDaemon, StopDaemon, TcpService, UdpService, SctpService,
    FwmarkService, Scheduler, Persistent, Netmask, RealServer, Masquerading, Ipip, Gatewaying, Weight,
    UThreshold, LThreshold, Numeric, Connection, McastInterface, SyncId, Timeout, Daemon, Stats, Rate,
    Thresholds, PersistentConn, NoSort, Sort, Exact, Ipv6, Ops, PersistenceEngine, SchedFlags,
    McastGroup, McastPort, McastTtl, SyncMaxlen, TunInfo, TunType, TunPort, TunNoCsum, TunCsum, TunRemCsum,
}

/// <summary>Whether a switch takes a value: none, a required one, or an optional one (-p [timeout]).</summary>
internal enum ArgumentKind
{
    None,
    Required,
    Optional,
}

/// <summary>One entry of the option table: long name, short letter ('\0' for none), argument kind.</summary>
internal sealed record PoptOption(string LongName, char ShortName, ArgumentKind Argument, Switch Switch);

/// <summary>
/// ipvsadm 1.31's popt option table, in its order (a long name is looked up first-match, so "--list"
/// is -L; -l is the other "list" entry). Exact long names only: popt does not take abbreviations.
/// </summary>
internal static class PoptOptions
{
    public static IReadOnlyList<PoptOption> All { get; } =
    [
        new("add-service", 'A', ArgumentKind.None, Switch.AddService),
        new("edit-service", 'E', ArgumentKind.None, Switch.EditService),
        new("delete-service", 'D', ArgumentKind.None, Switch.DeleteService),
        new("clear", 'C', ArgumentKind.None, Switch.Clear),
        new("list", 'L', ArgumentKind.None, Switch.List),
        new("list", 'l', ArgumentKind.None, Switch.List),
        new("zero", 'Z', ArgumentKind.None, Switch.Zero),
        new("add-server", 'a', ArgumentKind.None, Switch.AddServer),
        new("edit-server", 'e', ArgumentKind.None, Switch.EditServer),
        new("delete-server", 'd', ArgumentKind.None, Switch.DeleteServer),
        new("set", '\0', ArgumentKind.None, Switch.Set),
        new("help", 'h', ArgumentKind.None, Switch.Help),
        new("version", 'v', ArgumentKind.None, Switch.Version),
        new("restore", 'R', ArgumentKind.None, Switch.Restore),
        new("save", 'S', ArgumentKind.None, Switch.Save),
        new("start-daemon", '\0', ArgumentKind.Required, Switch.StartDaemon),
        new("stop-daemon", '\0', ArgumentKind.Required, Switch.StopDaemon),
        new("tcp-service", 't', ArgumentKind.Required, Switch.TcpService),
        new("udp-service", 'u', ArgumentKind.Required, Switch.UdpService),
        new("sctp-service", '\0', ArgumentKind.Required, Switch.SctpService),
        new("fwmark-service", 'f', ArgumentKind.Required, Switch.FwmarkService),
        new("scheduler", 's', ArgumentKind.Required, Switch.Scheduler),
        new("persistent", 'p', ArgumentKind.Optional, Switch.Persistent),
        new("netmask", 'M', ArgumentKind.Required, Switch.Netmask),
        new("real-server", 'r', ArgumentKind.Required, Switch.RealServer),
        new("masquerading", 'm', ArgumentKind.None, Switch.Masquerading),
        new("ipip", 'i', ArgumentKind.None, Switch.Ipip),
        new("gatewaying", 'g', ArgumentKind.None, Switch.Gatewaying),
        new("weight", 'w', ArgumentKind.Required, Switch.Weight),
        new("u-threshold", 'x', ArgumentKind.Required, Switch.UThreshold),
        new("l-threshold", 'y', ArgumentKind.Required, Switch.LThreshold),
        new("numeric", 'n', ArgumentKind.None, Switch.Numeric),
        new("connection", 'c', ArgumentKind.None, Switch.Connection),
        new("mcast-interface", '\0', ArgumentKind.Required, Switch.McastInterface),
        new("syncid", '\0', ArgumentKind.Required, Switch.SyncId),
        new("timeout", '\0', ArgumentKind.None, Switch.Timeout),
        new("daemon", '\0', ArgumentKind.None, Switch.Daemon),
        new("stats", '\0', ArgumentKind.None, Switch.Stats),
        new("rate", '\0', ArgumentKind.None, Switch.Rate),
        new("thresholds", '\0', ArgumentKind.None, Switch.Thresholds),
        new("persistent-conn", '\0', ArgumentKind.None, Switch.PersistentConn),
        new("nosort", '\0', ArgumentKind.None, Switch.NoSort),
        new("sort", '\0', ArgumentKind.None, Switch.Sort),
        new("exact", 'X', ArgumentKind.None, Switch.Exact),
        new("ipv6", '6', ArgumentKind.None, Switch.Ipv6),
        new("ops", 'o', ArgumentKind.None, Switch.Ops),
        new("pe", '\0', ArgumentKind.Required, Switch.PersistenceEngine),
        new("sched-flags", 'b', ArgumentKind.Required, Switch.SchedFlags),
        new("mcast-group", '\0', ArgumentKind.Required, Switch.McastGroup),
        new("mcast-port", '\0', ArgumentKind.Required, Switch.McastPort),
        new("mcast-ttl", '\0', ArgumentKind.Required, Switch.McastTtl),
        new("sync-maxlen", '\0', ArgumentKind.Required, Switch.SyncMaxlen),
        new("tun-info", '\0', ArgumentKind.None, Switch.TunInfo),
        new("tun-type", '\0', ArgumentKind.Required, Switch.TunType),
        new("tun-port", '\0', ArgumentKind.Required, Switch.TunPort),
        new("tun-nocsum", '\0', ArgumentKind.None, Switch.TunNoCsum),
        new("tun-csum", '\0', ArgumentKind.None, Switch.TunCsum),
        new("tun-remcsum", '\0', ArgumentKind.None, Switch.TunRemCsum),
    ];

    public static PoptOption? FindLong(string name)
    {
        foreach (var option in All)
            if (option.LongName == name) return option;
        return null;
    }

    public static PoptOption? FindShort(char name)
    {
        foreach (var option in All)
            if (option.ShortName == name && name != '\0') return option;
        return null;
    }
}
