using UserLvs.Health.Monitoring;

namespace UserLvs.Health;

/// <summary>What nanny did to the table.</summary>
public enum HealthAction : byte
{
    /// <summary>The failed real server was removed from its virtual service (ipvsadm -d).</summary>
    Removed,
    /// <summary>The failed real server's weight was set to 0 (quiesce_server = 1).</summary>
    Quiesced,
    /// <summary>The real server passed for reentry and is back with its configured weight.</summary>
    Restored,
    /// <summary>Every real server of the service is out: the sorry server was added with weight 1.</summary>
    SorryServerAdded,
    /// <summary>A real server is back: the sorry server was removed.</summary>
    SorryServerRemoved,
}

/// <summary>
/// One state change, raised once: the real server (for the sorry-server actions, the sorry server),
/// what was done, why (the failing check's reason, or "passed for 180s"), and the weight it now has
/// in the table (-1 when it is not in the table).
/// </summary>
public sealed record HealthTransition(RealServerId Server, HealthAction Action, string Reason, int Weight)
{
    /// <summary>True for the actions that put a real server back in service.</summary>
    public bool IsUp => Action is HealthAction.Restored or HealthAction.SorryServerAdded;

    public override string ToString() => Action switch
    {
        HealthAction.Removed => $"real server {Server.Address}:{Server.Port} of {Server.Service} is down ({Reason}): removed",
        HealthAction.Quiesced => $"real server {Server.Address}:{Server.Port} of {Server.Service} is down ({Reason}): quiesced (weight 0)",
        HealthAction.Restored => $"real server {Server.Address}:{Server.Port} of {Server.Service} is up ({Reason}): restored with weight {Weight}",
        HealthAction.SorryServerAdded => $"every real server of {Server.Service} is down: sorry server {Server.Address}:{Server.Port} added (weight 1)",
        _ => $"a real server of {Server.Service} is up: sorry server {Server.Address}:{Server.Port} removed",
    };
}

/// <summary>One monitored real server as status and metrics show it.</summary>
public readonly record struct RealServerStatus(RealServerId Server, bool InService, string? LastFailure, long Checks);
