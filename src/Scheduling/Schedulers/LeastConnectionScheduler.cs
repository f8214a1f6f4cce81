namespace UserLvs.Scheduling;

/// <summary>
/// Least-Connection scheduling, IPVS's "lc" (ip_vs_lc.c).
///
///   overhead(s) = active(s) * 256 + inactive(s)      (ip_vs_dest_conn_overhead)
///   choose the available server with the least overhead(s); weight only matters in that a
///   quiesced server (weight 0) and an overloaded one are skipped
///   a later server replaces the incumbent only when its overhead is strictly smaller, so ties go
///   to the earlier server in list order.
///
/// IPVS scans every server per pick: O(n). Here a <see cref="SelectionTree{TRule}"/> keeps the
/// scan's answer: the pick reads its root, O(1); a counter change costs O(log n).
/// </summary>
public sealed class LeastConnectionScheduler : IScheduler, ICounterListener
{
    private readonly SelectionTree<Rule> _tree;

    public LeastConnectionScheduler(SchedulerContext context) => _tree = new(context.Servers);

    public string Name => SchedulerNames.LeastConnection;

    public RealServer? Pick(in SchedulingRequest request) => _tree.Winner();

    public void CountersChanged(int serverIndex) => _tree.Update(serverIndex);

    public void RefreshAll() => _tree.RefreshAll();

    internal readonly struct Rule : ISelectionRule
    {
        public static bool IsEligible(RealServer server) => server.IsAvailable;

        // IPVS's "doh < loh": strictly smaller, so an equal overhead keeps the earlier server.
        public static bool Beats(RealServer later, RealServer earlier) => later.Overhead < earlier.Overhead;
    }
}
