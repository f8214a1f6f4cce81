using System.Collections.Frozen;
using UserLvs.Failover.Protocol;

namespace UserLvs.Failover;

/// <summary>
/// A snapshot of pulse for metrics and the userlvs-adm status query: the role now, what was last
/// heard from the peer, how often the role changed and why last, and how many datagrams were
/// dropped for each reason (forged, replayed, malformed).
/// </summary>
public sealed record FailoverStatus
{
    public required ConfiguredRole ConfiguredRole { get; init; }
    public required bool ForceActive { get; init; }
    public required RouterRole Role { get; init; }

    /// <summary>A failback is under way: this router asked the active peer to release.</summary>
    public required bool AwaitingRelease { get; init; }

    /// <summary>When the last authenticated message from the peer arrived (null: never).</summary>
    public required DateTimeOffset? PeerLastHeard { get; init; }

    /// <summary>The same per heartbeat network, indexed by <see cref="Protocol.PulseNetwork"/>: which paths still carry it.</summary>
    public IReadOnlyList<DateTimeOffset?> PeerLastHeardOn { get; init; } = [null, null];

    /// <summary>
    /// The peer process's boot id (null: never heard). A new value means the peer started afresh and
    /// holds no synced connections: the active router then sends it its whole table.
    /// </summary>
    public ulong? PeerBootId { get; init; }

    /// <summary>The peer's state in its newest message (null: never heard).</summary>
    public required RouterRole? PeerRole { get; init; }

    public required long Transitions { get; init; }
    public required string? LastTransitionReason { get; init; }
    public required DateTimeOffset? LastTransitionAt { get; init; }

    /// <summary>Failbacks given up because the active peer did not release in time.</summary>
    public required long FailbackTimeouts { get; init; }

    /// <summary>Times this router found its own ticks had stood still (and did not blame the peer for it).</summary>
    public required long Stalls { get; init; }

    /// <summary>Dropped datagrams by reason; every reason is present, most with 0.</summary>
    public required FrozenDictionary<PulseDropReason, long> Drops { get; init; }

    public long Dropped => Drops.Values.Sum();
}
