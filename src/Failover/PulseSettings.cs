using UserLvs.Failover.Protocol;

namespace UserLvs.Failover;

/// <summary>
/// What the pulse state machine needs from lvs.cf and the command line: who is who
/// (<see cref="RoleAssignment"/>), keepalive and deadtime (fractions of a second work), and the
/// heartbeat key (the bytes of heartbeat_key_file).
/// </summary>
public sealed record PulseSettings
{
    public required RoleAssignment Roles { get; init; }

    /// <summary>lvs.cf keepalive: time between heartbeats.</summary>
    public required TimeSpan KeepAlive { get; init; }

    /// <summary>lvs.cf deadtime: silence after which the peer is declared dead.</summary>
    public required TimeSpan DeadTime { get; init; }

    /// <summary>The heartbeat key, at least one byte.</summary>
    public required byte[] Key { get; init; }

    /// <summary>
    /// How long a failback waits for the active router's Release before it gives up that attempt
    /// and tries again later (null: deadtime).
    /// </summary>
    public TimeSpan? FailbackTimeout { get; init; }

    public TimeSpan EffectiveFailbackTimeout => FailbackTimeout ?? DeadTime;

    /// <summary>
    /// How long a router that starts with the better right waits before it asks an active peer to
    /// hand over (keepalived's preempt_delay). Connection sync needs it: the active peer sends this
    /// router its whole connection table when it first hears it, and a failback before that table
    /// arrived would cut every established connection. Zero by default.
    /// </summary>
    public TimeSpan FailbackDelay { get; init; }

    /// <summary>How far a new peer boot's timestamp may be from this router's clock: max(2 x deadtime, 2 s).</summary>
    public TimeSpan FreshnessWindow => ReplayGuard.FreshnessWindow(DeadTime);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Roles);
        ArgumentNullException.ThrowIfNull(Key);
        if (Key.Length == 0) throw new ArgumentException("the heartbeat key is empty");
        if (KeepAlive <= TimeSpan.Zero) throw new ArgumentException("keepalive must be positive");
        if (DeadTime <= KeepAlive) throw new ArgumentException("deadtime must be longer than keepalive");
        if (EffectiveFailbackTimeout <= TimeSpan.Zero) throw new ArgumentException("the failback timeout must be positive");
        if (FailbackDelay < TimeSpan.Zero) throw new ArgumentException("the failback delay must not be negative");
    }
}
