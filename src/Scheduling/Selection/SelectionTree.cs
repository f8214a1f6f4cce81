using System.Numerics;

namespace UserLvs.Scheduling;

/// <summary>
/// A rule that orders real servers for a <see cref="SelectionTree{TRule}"/>: which servers may be
/// chosen at all, and when a later server beats an earlier one. IPVS's schedulers scan the list and
/// replace the incumbent only when a later server is strictly better, so ties go to the earlier
/// server; a rule states exactly that strict comparison.
/// </summary>
public interface ISelectionRule
{
    static abstract bool IsEligible(RealServer server);

    /// <summary>True when <paramref name="later"/> is strictly better than <paramref name="earlier"/>.</summary>
    static abstract bool Beats(RealServer later, RealServer earlier);
}

/// <summary>
/// A tournament tree over a service's real servers that always holds IPVS's choice at its root.
///
/// The schedulers that choose by connection counters (lc, wlc, sed, nq, fo, ovf) are a linear scan
/// in IPVS: O(n) per new connection. Here the scan's answer is kept up to date instead:
///   leaf i      = i if server i is eligible, else none
///   node        = the better of its two children's winners, the left (earlier) one on a tie
///   pick        = the root's winner: O(1)
///   counter change of server i = recompute the log2(n) nodes from leaf i to the root
/// Because "better, ties to the earlier" is a total order on (rule, list position), the root equals
/// the winner of IPVS's left-to-right scan.
///
/// Updates from several workers are lock-free: each node holds (version, winner) in one 64-bit word
/// and is replaced by compare-and-swap, recomputed from fresh reads until the swap succeeds. The last
/// successful swap of a node was computed after every earlier change of its inputs had been made, so
/// once the updates stop the tree equals a fresh scan (the same relaxed consistency IPVS has when it
/// reads its atomic counters during a scan).
/// </summary>
public sealed class SelectionTree<TRule> where TRule : ISelectionRule
{
    private const int None = -1;
    private readonly IReadOnlyList<RealServer> _servers;
    private readonly long[] _nodes;
    private readonly int _leafBase;

    public SelectionTree(IReadOnlyList<RealServer> servers)
    {
        _servers = servers;
        _leafBase = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, servers.Count));
        _nodes = new long[_leafBase * 2];
        RefreshAll();
    }

    /// <summary>The index of the chosen server in the list, or -1 when no server is eligible.</summary>
    public int WinnerIndex => Winner(Volatile.Read(ref _nodes[1]));

    /// <summary>The chosen server, or null when no server is eligible.</summary>
    public RealServer? Winner()
    {
        int index = WinnerIndex;
        return index == None ? null : _servers[index];
    }

    /// <summary>Recomputes the path from server <paramref name="index"/>'s leaf to the root.</summary>
    public void Update(int index)
    {
        if ((uint)index >= (uint)_servers.Count) return;
        for (int node = _leafBase + index; node >= 1; node >>= 1)
            Recompute(node);
    }

    /// <summary>Rebuilds every node bottom-up (when the tree is created or its snapshot is published).</summary>
    public void RefreshAll()
    {
        for (int node = _nodes.Length - 1; node >= 1; node--)
            Recompute(node);
    }

    private void Recompute(int node)
    {
        while (true)
        {
            long old = Volatile.Read(ref _nodes[node]);
            int winner = node >= _leafBase ? LeafWinner(node - _leafBase) : Better(node);
            long next = ((long)(int)((old >> 32) + 1) << 32) | (uint)winner;
            if (Interlocked.CompareExchange(ref _nodes[node], next, old) == old) return;
        }
    }

    private int LeafWinner(int index) =>
        index < _servers.Count && TRule.IsEligible(_servers[index]) ? index : None;

    private int Better(int node)
    {
        int left = Winner(Volatile.Read(ref _nodes[2 * node]));
        int right = Winner(Volatile.Read(ref _nodes[2 * node + 1]));
        if (left == None) return right;
        if (right == None) return left;
        return TRule.Beats(_servers[right], _servers[left]) ? right : left;
    }

    private static int Winner(long packed) => (int)(uint)packed;
}
