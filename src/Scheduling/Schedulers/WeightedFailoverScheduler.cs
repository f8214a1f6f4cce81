namespace UserLvs.Scheduling;

/// <summary>
/// Weighted Failover scheduling, IPVS's "fo" (ip_vs_fo.c).
///
///   choose the server with the highest weight among those that are not overloaded (weight > 0)
///   a later server replaces the incumbent only when its weight is strictly greater,
///   so on equal weights the earlier server in the list keeps the traffic.
///
/// All traffic goes to one server until it is quiesced, overloaded or removed; then the next
/// highest takes over. IPVS scans every server per pick: O(n). Weights are fixed within a snapshot,
/// but the overload flag follows the connection counters, so a <see cref="SelectionTree{TRule}"/>
/// keeps the scan's answer: a pick reads its root, O(1); a counter change costs O(log n); a table
/// change builds a new tree, O(n).
/// </summary>
public sealed class WeightedFailoverScheduler : IScheduler, ICounterListener
{
    private readonly SelectionTree<Rule> _tree;

    public WeightedFailoverScheduler(SchedulerContext context) => _tree = new(context.Servers);

    public string Name => SchedulerNames.WeightedFailover;

    public RealServer? Pick(in SchedulingRequest request) => _tree.Winner();

    public void CountersChanged(int serverIndex) => _tree.Update(serverIndex);

    public void RefreshAll() => _tree.RefreshAll();

    internal readonly struct Rule : ISelectionRule
    {
        // IPVS compares weight > hw with hw starting at 0, so weight 0 is never chosen.
        public static bool IsEligible(RealServer server) => server.IsAvailable;

        public static bool Beats(RealServer later, RealServer earlier) => later.Weight > earlier.Weight;
    }
}
