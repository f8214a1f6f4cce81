using UserLvs.Control;

namespace UserLvs.Daemon.Status;

/// <summary>
/// Gathers what `userlvs-adm --status` shows from the modules that know it: pulse reports the
/// router's role, peer and sync daemon, nanny the verdict on every real server it checks. A module
/// that is not running reports nothing, and the board says what is then true: a router without
/// heartbeat (lvs.cf heartbeat = 0) is the one active router from the moment it starts.
/// Read on the control server's thread; the sources return their own consistent copies.
/// </summary>
public sealed class StatusBoard(TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>Set by the failover module when heartbeat = 1.</summary>
    public Func<RouterStatus>? Failover { get; set; }

    /// <summary>Set by the health module (nanny).</summary>
    public Func<IReadOnlyList<RealServerStatus>>? Health { get; set; }

    public RouterStatus Read()
    {
        var status = Failover?.Invoke()
            ?? new RouterStatus("standalone", "active", _started, "started (heartbeat = 0: no backup router)", 0, null, null, []);
        return status with { RealServers = Health?.Invoke() ?? [] };
    }
}
