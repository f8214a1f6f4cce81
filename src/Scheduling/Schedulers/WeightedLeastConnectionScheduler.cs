namespace UserLvs.Scheduling;

/// <summary>
/// Weighted Least-Connection scheduling, IPVS's "wlc" and ipvsadm's default (ip_vs_wlc.c).
///
///   overhead(s) = active(s) * 256 + inactive(s)
///   choose the available server with the least overhead(s) / weight(s)
///   a later server replaces the incumbent only when h1 * w2 > h2 * w1, compared in 64 bits
///   (equivalent to h1/w1 > h2/w2 without division), so ties go to the earlier server.
///
/// IPVS scans every server per pick: O(n). Here a <see cref="SelectionTree{TRule}"/> keeps the
/// scan's answer: the pick reads its root, O(1); a counter change costs O(log n).
/// </summary>
public sealed class WeightedLeastConnectionScheduler : IScheduler, ICounterListener
{
    private readonly SelectionTree<Rule> _tree;

    public WeightedLeastConnectionScheduler(SchedulerContext context) => _tree = new(context.Servers);

    public string Name => SchedulerNames.WeightedLeastConnection;

    public RealServer? Pick(in SchedulingRequest request) => _tree.Winner();

    public void CountersChanged(int serverIndex) => _tree.Update(serverIndex);

    public void RefreshAll() => _tree.RefreshAll();

    internal readonly struct Rule : ISelectionRule
    {
        public static bool IsEligible(RealServer server) => server.IsAvailable;

        // loh * dw > doh * lw: the incumbent's overhead per weight exceeds the later server's.
        public static bool Beats(RealServer later, RealServer earlier) =>
            (ulong)earlier.Overhead * (ulong)later.Weight > (ulong)later.Overhead * (ulong)earlier.Weight;
    }
}
