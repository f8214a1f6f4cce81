using System.Numerics;

namespace UserLvs.Scheduling;

/// <summary>
/// Weighted random choice of two, IPVS's "twos" (ip_vs_twos.c, the power of two choices).
///
///   total = sum of the weights of the available servers (weight > 0, not overloaded)
///   r1, r2 = two random numbers in [0, total]       (the kernel draws below total + 1)
///   choice(r) = the first available server in list order whose running weight sum reaches r,
///               so r = 0 and r = 1..w0 both give the first one (a kernel quirk: it gets w0 + 1 chances)
///   answer = choice(r2) when weight1 * overhead2 &lt; weight2 * overhead1, else choice(r1)
///            (overhead = active * 256 + inactive; ties keep the first choice)
///
/// IPVS walks the list twice per pick: O(n). Here a Fenwick (binary indexed) tree holds each
/// server's "counted weight" (its weight while available, 0 while quiesced or overloaded): a pick is
/// two O(log n) descents, an availability flip is an O(log n) update, and a publish resyncs every
/// server, O(n log n). Connection counts that do not flip availability cost nothing here.
/// </summary>
public sealed class WeightedRandomTwoChoicesScheduler : IScheduler, ICounterListener
{
    private readonly IReadOnlyList<RealServer> _servers;
    private readonly IRandomSource _random;
    private readonly int[] _counted;      // what the tree holds for each server
    private readonly long[] _tree;        // Fenwick tree, 1-based: _tree[k] sums servers (k - lowbit(k), k]
    private readonly int _topStep;        // the largest power of two <= the server count
    private long _total;                  // sum of _counted, the tree's whole range

    public WeightedRandomTwoChoicesScheduler(SchedulerContext context)
    {
        _servers = context.Servers;
        _random = context.RandomSource;
        int n = _servers.Count;
        _counted = new int[n];
        _tree = new long[n + 1];
        _topStep = n == 0 ? 0 : (int)BitOperations.RoundUpToPowerOf2((uint)n + 1) >> 1;
        RefreshAll();
    }

    public string Name => SchedulerNames.WeightedRandomTwoChoices;

    public RealServer? Pick(in SchedulingRequest request)
    {
        long total = Volatile.Read(ref _total);
        if (total <= 0) return null;
        // The kernel's get_random_u32_below(total + 1); a sum beyond 2^32 - 1 (never seen in practice) is capped.
        uint range = total >= uint.MaxValue ? uint.MaxValue : (uint)(total + 1);
        uint r1 = _random.Next(range);
        uint r2 = _random.Next(range);
        int first = Locate(r1);
        int second = Locate(r2);
        if (first < 0 || second < 0) return null;
        RealServer choice1 = _servers[first], choice2 = _servers[second];
        // ip_vs_twos: weight2 * overhead1 > weight1 * overhead2, i.e. overhead2/weight2 < overhead1/weight1.
        return choice2.Weight * choice1.Overhead > choice1.Weight * choice2.Overhead ? choice2 : choice1;
    }

    /// <summary>
    /// An availability flip changes the server's counted weight. The exchange makes each delta be
    /// applied exactly once however many workers race; re-reading the state after it makes the last
    /// writer settle on the current state, so once changes stop the tree equals a fresh sum.
    /// </summary>
    public void CountersChanged(int serverIndex)
    {
        if ((uint)serverIndex >= (uint)_counted.Length) return;
        var server = _servers[serverIndex];
        while (true)
        {
            int wanted = CountedWeight(server);
            int had = Interlocked.Exchange(ref _counted[serverIndex], wanted);
            if (had != wanted) Add(serverIndex, wanted - had);
            if (CountedWeight(server) == wanted) return;
        }
    }

    /// <summary>Resyncs every server (the table calls it once the counters point at this scheduler).</summary>
    public void RefreshAll()
    {
        for (int i = 0; i < _counted.Length; i++) CountersChanged(i);
    }

    private static int CountedWeight(RealServer server) => server.IsAvailable ? server.Weight : 0;

    private void Add(int index, long delta)
    {
        for (int k = index + 1; k < _tree.Length; k += k & -k)
            Interlocked.Add(ref _tree[k], delta);
        Interlocked.Add(ref _total, delta);
    }

    /// <summary>The server the kernel's walk stops at for <paramref name="r"/>, or -1 when none is available.</summary>
    private int Locate(uint r)
    {
        // The walk stops at the first server whose running sum reaches r (r = 0 stops at the first):
        // the server whose weight range [sum before, sum through) holds x = max(r - 1, 0).
        long x = r == 0 ? 0 : r - 1L;
        int pos = 0;
        long[] tree = _tree;
        for (int step = _topStep; step > 0; step >>= 1)
        {
            int next = pos + step;
            if ((uint)next < (uint)tree.Length)
            {
                long sum = Volatile.Read(ref tree[next]);
                // Branch-free: "sum <= x" is a coin toss at every level of a random descent, and a
                // mispredicted jump costs more than the level itself. Sums stay far below 2^62.
                long take = (sum - x - 1) >> 63;   // -1 when sum <= x, else 0
                pos += step & (int)take;
                x -= sum & take;
            }
        }
        // A descent racing an update may read a torn tree; the kernel's linear walk answers then.
        if (pos < _counted.Length && Volatile.Read(ref _counted[pos]) > 0) return pos;
        return LocateByScan(r);
    }

    private int LocateByScan(uint r)
    {
        long left = r;
        int last = -1;
        for (int i = 0; i < _counted.Length; i++)
        {
            int weight = Volatile.Read(ref _counted[i]);
            if (weight <= 0) continue;
            last = i;
            left -= weight;
            if (left <= 0) return i;
        }
        return last;   // r beyond a total that shrank meanwhile: the last available server, as the kernel's fallback
    }
}
