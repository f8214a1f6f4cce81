namespace UserLvs.Failover.Protocol;

/// <summary>
/// Refuses replayed pulse messages from the one peer router.
///
/// For the peer's current boot it keeps the highest sequence seen on each network; a message whose
/// sequence is not above it is a replay (the same message twice, or an older one). Networks are
/// tracked apart because the peer numbers its datagrams with one counter across both networks, so
/// a private-network datagram may legitimately overtake a public one. A message cannot be moved
/// from one network to the other: its authenticated sender address would not match.
///
/// A boot id never seen before is accepted only when its timestamp is within the freshness window
/// of this router's clock (|now - ts| &lt;= window), so a message recorded during an earlier boot
/// cannot be replayed later; the peer's previous boot is refused outright. The window is
/// max(2 x deadtime, 2 s) (<see cref="FreshnessWindow"/>): routers' clocks must agree that well (NTP).
/// And while the current boot is alive (heard within the window), another boot must be stamped no
/// earlier than the current boot's newest message: a boot the peer really started later is, by its
/// own clock, and a message recorded two boots ago (after two quick restarts, still fresh) is not.
/// A peer whose clock stepped back across a restart is refused only until its stamps pass its old
/// boot's newest (as long as the step), or until the old boot has been silent for the window.
/// </summary>
public sealed class ReplayGuard
{
    private readonly long windowMs;
    private readonly ulong[] highest = new ulong[2];
    private bool hasBoot;
    private ulong currentBoot;
    private bool hasPreviousBoot;
    private ulong previousBoot;
    private ulong newestSequence;
    private long currentNewestTimestampMs;   // the peer's clock, in the current boot's messages
    private long currentHeardAtMs;           // this router's clock, when the current boot was last heard

    public ReplayGuard(TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        windowMs = (long)window.TotalMilliseconds;
    }

    /// <summary>The documented window for a deadtime: max(2 x deadtime, 2 seconds).</summary>
    public static TimeSpan FreshnessWindow(TimeSpan deadTime) =>
        TimeSpan.FromTicks(Math.Max(2 * deadTime.Ticks, TimeSpan.FromSeconds(2).Ticks));

    /// <summary>The peer boot the guard follows, if any.</summary>
    public ulong? CurrentBoot => hasBoot ? currentBoot : null;

    /// <summary>
    /// Accepts or refuses one authenticated message. <paramref name="newest"/> is true when the message
    /// is newer than every message accepted from that boot on any network: only such a message may
    /// change what this router believes about the peer's state.
    /// </summary>
    public bool Check(PulseNetwork network, ulong bootId, ulong sequence, long timestampMs, long nowMs, out bool newest, out PulseDropReason reason)
    {
        newest = false;
        reason = default;
        int slot = (int)network;
        if (hasBoot && bootId == currentBoot)
        {
            if (sequence <= highest[slot]) { reason = PulseDropReason.Replayed; return false; }
            highest[slot] = sequence;
            if (sequence > newestSequence) { newestSequence = sequence; newest = true; }
            currentNewestTimestampMs = Math.Max(currentNewestTimestampMs, timestampMs);
            currentHeardAtMs = nowMs;
            return true;
        }
        bool currentAlive = hasBoot && nowMs - currentHeardAtMs <= windowMs;
        if ((hasPreviousBoot && bootId == previousBoot) || Math.Abs(nowMs - timestampMs) > windowMs || sequence == 0 ||
            (currentAlive && timestampMs < currentNewestTimestampMs))
        {
            reason = PulseDropReason.StaleBoot;
            return false;
        }
        if (hasBoot) { previousBoot = currentBoot; hasPreviousBoot = true; }
        currentBoot = bootId;
        hasBoot = true;
        highest[0] = highest[1] = 0;
        highest[slot] = sequence;
        newestSequence = sequence;
        currentNewestTimestampMs = timestampMs;
        currentHeardAtMs = nowMs;
        newest = true;
        return true;
    }
}
