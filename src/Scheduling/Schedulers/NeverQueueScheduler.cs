namespace UserLvs.Scheduling;

/// <summary>
/// Never Queue scheduling, IPVS's "nq" (ip_vs_nq.c): sed with a fast path for idle servers.
///
///   if some available server has no active connection: the first such server in list order
///   else: the available server with the least (active + 1) / weight, compared as
///         loh * dw > doh * lw in 64 bits, ties to the earlier server (exactly sed)
///
/// IPVS returns the first idle server it meets during its O(n) scan. The same answer is the winner
/// of a total order, so a <see cref="SelectionTree{TRule}"/> keeps it: idle before busy; among idle
/// servers only the list position counts (whatever their weights); among busy ones the sed ratio,
/// then the position. The pick reads the root, O(1); a counter change costs O(log n).
/// </summary>
public sealed class NeverQueueScheduler : IScheduler, ICounterListener
{
    private readonly SelectionTree<Rule> _tree;

    public NeverQueueScheduler(SchedulerContext context) => _tree = new(context.Servers);

    public string Name => SchedulerNames.NeverQueue;

    public RealServer? Pick(in SchedulingRequest request) => _tree.Winner();

    public void CountersChanged(int serverIndex) => _tree.Update(serverIndex);

    public void RefreshAll() => _tree.RefreshAll();

    internal readonly struct Rule : ISelectionRule
    {
        public static bool IsEligible(RealServer server) => server.IsAvailable;

        public static bool Beats(RealServer later, RealServer earlier)
        {
            // An idle incumbent is never displaced: IPVS would have returned it before seeing the later one.
            if (earlier.ActiveConnections == 0) return false;
            if (later.ActiveConnections == 0) return true;
            return ShortestExpectedDelayScheduler.ShorterDelay(later, earlier);
        }
    }
}
