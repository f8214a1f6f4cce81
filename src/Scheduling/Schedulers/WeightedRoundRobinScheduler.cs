namespace UserLvs.Scheduling;

/// <summary>
/// Weighted Round-Robin scheduling, IPVS's "wrr" (ip_vs_wrr.c).
///
///   di = gcd of the positive weights, mw = max weight - (di - 1), cw = mw, position = list head
///   pick: step to the next server; past the list's end go back to its head with cw -= di, and when
///         cw <= 0 start again at cw = mw; choose the first server not overloaded with weight >= cw.
///   weights 4,3,2 (A,B,C) give A A B A B C A B C, over and over; weights 4,2 give A A B.
///
/// The walk only ever visits, level by level (cw = mw, mw - di, ..., 1), the servers with weight >= cw
/// in list order, and weights are fixed within a snapshot. So that sequence (sum of weights / di
/// entries) is built once per table change, O(length + n log n), and a pick steps through it from a
/// position kept with compare-and-swap: O(1) while the next candidate is not overloaded, skipping
/// overloaded ones exactly as the walk does (O(n) when every server is overloaded). A sequence longer
/// than <see cref="DefaultMaxCycleLength"/> is not built; then each pick runs IPVS's walk itself,
/// O(n * mw / di) at worst, on a (position, cw) pair swapped as one 64-bit word.
///
/// Failures and table changes keep IPVS's state rules: a pick that finds no server leaves the state
/// alone when it was already in the last level (cw = 1) and otherwise returns to (head, mw);
/// a destination change (ip_vs_wrr_dest_changed) restarts at the list head and keeps cw unless it
/// exceeds the new mw, rounding it to a level of the new di.
/// </summary>
public sealed class WeightedRoundRobinScheduler : IScheduler
{
    /// <summary>The longest sequence that is precomputed (4 MiB of positions); beyond it picks walk the list.</summary>
    public const int DefaultMaxCycleLength = 1 << 20;

    private const int ListHead = -1;

    private readonly RealServer[] _servers;
    private readonly int _di;
    private readonly int _mw;
    private readonly int _positiveCount;

    // Precomputed walk: list positions level by level; _levelStart[k] is where level cw = mw - k*di begins.
    private readonly int[]? _cycle;
    private readonly int[]? _levelStart;
    private readonly int _lastLevelStart;

    // Walk state with a precomputed cycle: >= 0 the cycle index chosen last; < 0 the list head
    // before level (-state - 1), which picks treat alike but a table change does not.
    private int _cursor;

    // Walk state without one: (cw << 32) | (uint)list position, position -1 being the list head.
    private long _walk;

    public WeightedRoundRobinScheduler(SchedulerContext context) : this(context, DefaultMaxCycleLength)
    {
    }

    internal WeightedRoundRobinScheduler(SchedulerContext context, int maxCycleLength)
    {
        _servers = [.. context.Servers];
        int gcd = 0, max = 0;
        long total = 0;
        foreach (var server in _servers)
        {
            int w = server.Weight;
            if (w <= 0) continue;
            _positiveCount++;
            gcd = gcd == 0 ? w : Gcd(gcd, w);
            max = Math.Max(max, w);
            total += w;
        }
        _di = gcd == 0 ? 1 : gcd;
        _mw = max - (_di - 1);
        // Each server appears in weight / di levels (the levels are 1, 1 + di, ..., mw).
        long length = total / _di;
        if (_mw > 0 && length <= maxCycleLength) (_cycle, _levelStart) = BuildCycle();
        _lastLevelStart = _levelStart is null ? 0 : _levelStart[^1];

        var previous = context.Previous as WeightedRoundRobinScheduler;
        if (previous is not null && SameServers(previous._servers, _servers) && previous.IsCycleMode == IsCycleMode)
        {
            // Only the service's flags changed: IPVS leaves sched_data alone, so the walk goes on.
            _cursor = Volatile.Read(ref previous._cursor);
            _walk = Volatile.Read(ref previous._walk);
            return;
        }
        int cw = previous is null ? _mw : AfterDestinationChange(previous.CurrentWeight);
        _cursor = _mw == 0 ? ListHead : -((_mw - cw) / _di + 1);
        _walk = Pack(ListHead, cw);
    }

    public string Name => SchedulerNames.WeightedRoundRobin;

    private bool IsCycleMode => _cycle is not null;

    /// <summary>IPVS's mark->cw for the current state.</summary>
    internal int CurrentWeight
    {
        get
        {
            if (_mw == 0) return 0;
            if (_cycle is null) return (int)(Volatile.Read(ref _walk) >> 32);
            int state = Volatile.Read(ref _cursor);
            int level = state < 0 ? -state - 1 : LevelOf(state);
            return _mw - level * _di;
        }
    }

    public RealServer? Pick(in SchedulingRequest request)
    {
        if (_mw == 0) return null;
        return _cycle is not null ? PickFromCycle(_cycle) : PickByWalking();
    }

    private RealServer? PickFromCycle(int[] cycle)
    {
        int length = cycle.Length;
        while (true)
        {
            int state = Volatile.Read(ref _cursor);
            int i = state >= 0 ? state + 1 : _levelStart![-state - 1];
            if (i == length) i = 0;
            int found = -1;
            for (int step = 0; step < length; step++)
            {
                if (!_servers[cycle[i]].IsOverloaded)
                {
                    found = i;
                    break;
                }
                if (++i == length) i = 0;
                // After n misses check once whether anyone is available, so "all overloaded" costs O(n), not O(length).
                if (step == _positiveCount && !AnyAvailable()) break;
            }
            if (found >= 0)
            {
                if (Interlocked.CompareExchange(ref _cursor, found, state) == state) return _servers[cycle[found]];
                continue;   // another worker moved on: walk again from its choice
            }
            int failed = state >= _lastLevelStart ? state : ListHead;
            if (failed == state || Interlocked.CompareExchange(ref _cursor, failed, state) == state) return null;
        }
    }

    private RealServer? PickByWalking()
    {
        int n = _servers.Length;
        while (true)
        {
            long state = Volatile.Read(ref _walk);
            int position = (int)state, cw = (int)(state >> 32);
            int found = -1;
            if (AnyAvailable())
            {
                // One lap visits every (position, level) pair; bounded in case overloads change meanwhile.
                long steps = ((long)(_mw - 1) / _di + 2) * (n + 1);
                for (long step = 0; step < steps; step++)
                {
                    if (++position == n)
                    {
                        position = ListHead;
                        cw -= _di;
                        if (cw <= 0) cw = _mw;
                        continue;
                    }
                    var server = _servers[position];
                    if (server.Weight >= cw && !server.IsOverloaded)
                    {
                        found = position;
                        break;
                    }
                }
            }
            if (found >= 0)
            {
                if (Interlocked.CompareExchange(ref _walk, Pack(found, cw), state) == state) return _servers[found];
                continue;
            }
            long failed = (int)state != ListHead && (int)(state >> 32) <= _di ? state : Pack(ListHead, _mw);
            if (failed == state || Interlocked.CompareExchange(ref _walk, failed, state) == state) return null;
        }
    }

    private bool AnyAvailable()
    {
        foreach (var server in _servers)
            if (server.IsAvailable) return true;
        return false;
    }

    /// <summary>ip_vs_wrr_dest_changed: keep cw unless it is out of range, rounded to a level of the new di.</summary>
    private int AfterDestinationChange(int cw)
    {
        if (cw > _mw || cw == 0) return _mw;
        return _di > 1 ? cw / _di * _di + 1 : cw;
    }

    private (int[] Cycle, int[] LevelStart) BuildCycle()
    {
        int levels = (_mw - 1) / _di + 1;
        var byWeight = new List<int>(_positiveCount);
        for (int i = 0; i < _servers.Length; i++)
            if (_servers[i].Weight > 0) byWeight.Add(i);
        byWeight.Sort((a, b) => _servers[b].Weight.CompareTo(_servers[a].Weight));

        long length = 0;
        foreach (int i in byWeight) length += _servers[i].Weight / _di;
        var cycle = new int[length];
        var levelStart = new int[levels];
        // The servers with weight >= cw, in list order; lowering cw only ever adds servers.
        var members = new List<int>(_positiveCount);
        int joined = 0, at = 0;
        for (int k = 0; k < levels; k++)
        {
            int cw = _mw - k * _di;
            bool grew = false;
            while (joined < byWeight.Count && _servers[byWeight[joined]].Weight >= cw)
            {
                members.Add(byWeight[joined++]);
                grew = true;
            }
            if (grew) members.Sort();
            levelStart[k] = at;
            members.CopyTo(cycle, at);
            at += members.Count;
        }
        return (cycle, levelStart);
    }

    private int LevelOf(int cycleIndex)
    {
        int level = Array.BinarySearch(_levelStart!, cycleIndex);
        return level >= 0 ? level : ~level - 1;
    }

    private static bool SameServers(RealServer[] a, RealServer[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (!ReferenceEquals(a[i], b[i])) return false;
        return true;
    }

    private static long Pack(int position, int cw) => ((long)cw << 32) | (uint)position;

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
