namespace UserLvs.Scheduling;

/// <summary>
/// Shortest Expected Delay scheduling, IPVS's "sed" (ip_vs_sed.c).
///
///   overhead(s) = active(s) + 1        (the new connection counts: its expected delay if sent there)
///   choose the available server with the least overhead(s) / weight(s)
///   a later server replaces the incumbent only when loh * dw > doh * lw, compared in 64 bits
///   (equivalent to loh/lw > doh/dw without division), so ties go to the earlier server.
/// Inactive connections do not count, unlike wlc; with +1, an idle heavy server beats an idle light
/// one (1/10 < 1/1), where wlc would see 0 for both.
///
/// IPVS scans every server per pick: O(n). Here a <see cref="SelectionTree{TRule}"/> keeps the
/// scan's answer: the pick reads its root, O(1); a counter change costs O(log n).
/// </summary>
public sealed class ShortestExpectedDelayScheduler : IScheduler, ICounterListener
{
    private readonly SelectionTree<Rule> _tree;

    public ShortestExpectedDelayScheduler(SchedulerContext context) => _tree = new(context.Servers);

    public string Name => SchedulerNames.ShortestExpectedDelay;

    public RealServer? Pick(in SchedulingRequest request) => _tree.Winner();

    public void CountersChanged(int serverIndex) => _tree.Update(serverIndex);

    public void RefreshAll() => _tree.RefreshAll();

    /// <summary>IPVS's ip_vs_sed_dest_overhead: only active connections, plus the one being scheduled.</summary>
    internal static long ExpectedOverhead(RealServer server) => (long)server.ActiveConnections + 1;

    /// <summary>True when <paramref name="later"/>'s expected delay is strictly shorter: loh * dw > doh * lw.</summary>
    internal static bool ShorterDelay(RealServer later, RealServer earlier) =>
        ExpectedOverhead(earlier) * later.Weight > ExpectedOverhead(later) * earlier.Weight;

    internal readonly struct Rule : ISelectionRule
    {
        public static bool IsEligible(RealServer server) => server.IsAvailable;

        public static bool Beats(RealServer later, RealServer earlier) => ShorterDelay(later, earlier);
    }
}
