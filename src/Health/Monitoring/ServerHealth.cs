namespace UserLvs.Health.Monitoring;

/// <summary>
/// One real server's verdict from its checks over time, lvs.cf's timing rules as a state machine:
///
///   in service ── a check fails ──> failing since T (first failure)      still in service
///   failing    ── a check passes ─> in service (the failure run is forgotten)
///   failing    ── a check fails at >= T + timeout ──> OUT  (take it out, once)
///   out        ── a check passes ─> passing since T (first pass)         still out
///   passing    ── a check fails ──> out (the pass run is forgotten)
///   passing    ── a check passes at >= T + reentry ──> IN SERVICE (put it back, once)
///
/// A server starts in service (keepalived's default; Piranha's nanny instead adds a server at its
/// first passing check): a router that restarts does not drop a healthy farm for a round of checks,
/// and a dead one is out within its timeout. With check_interval = timeout (the default) a dead
/// server is out after two failed checks, between timeout and timeout + one interval after it died.
/// A reentry of 0 puts a server back at its first passing check (lvs.cf's reentry = 0 means nanny's
/// default, 180 s, before it gets here). Pure: the caller supplies each result and its time.
/// </summary>
public sealed class ServerHealth(TimeSpan timeout, TimeSpan reentry, bool inService = true)
{
    private DateTimeOffset? _failingSince;
    private DateTimeOffset? _passingSince;

    public bool InService { get; private set; } = inService;

    /// <summary>The last failure's reason (for logs and status), or null after a pass.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Feeds one check result; returns true when this result changed <see cref="InService"/>.</summary>
    public bool Observe(CheckResult result, DateTimeOffset now)
    {
        LastFailure = result.Passed ? null : result.Reason;
        if (InService)
        {
            if (result.Passed)
            {
                _failingSince = null;
                return false;
            }
            _failingSince ??= now;
            if (now - _failingSince.Value < timeout) return false;
            InService = false;
            _failingSince = null;
            _passingSince = null;
            return true;
        }
        if (!result.Passed)
        {
            _passingSince = null;
            return false;
        }
        _passingSince ??= now;
        if (now - _passingSince.Value < reentry) return false;
        InService = true;
        _passingSince = null;
        _failingSince = null;
        return true;
    }
}
