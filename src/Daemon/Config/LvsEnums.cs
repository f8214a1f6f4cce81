namespace UserLvs.Daemon.Config;

/// <summary>lvs.cf <c>network</c>: how the router reaches real servers. userlvsd forwards NAT only.</summary>
public enum LvsNetwork : byte
{
    Nat,
    Direct,
    Tunnel,
}

/// <summary>lvs.cf <c>load_monitor</c>: how nanny reads a real server's load to scale its weight
/// (nanny's -U: rup, rsh, ssh or none; the Piranha tools also write uptime and ruptime).</summary>
public enum LvsLoadMonitor : byte
{
    None,
    Uptime,
    Ruptime,
    Rup,
    Rsh,
    Ssh,
}

/// <summary>lvs.cf <c>debug_level</c>, the values the Piranha GUI writes.</summary>
public enum LvsDebugLevel : byte
{
    None,
    Low,
    Medium,
    High,
}
