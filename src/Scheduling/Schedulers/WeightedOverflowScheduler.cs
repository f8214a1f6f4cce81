namespace UserLvs.Scheduling;

/// <summary>
/// Weighted Overflow scheduling, IPVS's "ovf" (ip_vs_ovf.c).
///
///   skip a server that is overloaded, has weight 0, or has more active connections than its weight
///   choose the highest weight among the rest; a later server wins only with a strictly greater
///   weight, so on equal weights the earlier server in the list does.
///
/// The highest-weight server takes new connections until its active count exceeds its weight; then
/// they overflow to the next one. Only active (ESTABLISHED) connections count, so UDP never overflows.
/// IPVS scans every server per pick: O(n). Here a <see cref="SelectionTree{TRule}"/> keeps the scan's
/// answer as active counts and overload flags change: a pick reads its root, O(1); a counter change
/// costs O(log n); a table change builds a new tree, O(n).
/// </summary>
public sealed class WeightedOverflowScheduler : IScheduler, ICounterListener
{
    private readonly SelectionTree<Rule> _tree;

    public WeightedOverflowScheduler(SchedulerContext context) => _tree = new(context.Servers);

    public string Name => SchedulerNames.WeightedOverflow;

    public RealServer? Pick(in SchedulingRequest request) => _tree.Winner();

    public void CountersChanged(int serverIndex) => _tree.Update(serverIndex);

    public void RefreshAll() => _tree.RefreshAll();

    internal readonly struct Rule : ISelectionRule
    {
        public static bool IsEligible(RealServer server) =>
            server.IsAvailable && server.ActiveConnections <= server.Weight;

        public static bool Beats(RealServer later, RealServer earlier) => later.Weight > earlier.Weight;
    }
}
