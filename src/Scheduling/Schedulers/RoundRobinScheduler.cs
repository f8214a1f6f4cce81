namespace UserLvs.Scheduling;

/// <summary>
/// Round-Robin scheduling, IPVS's "rr" (ip_vs_rr.c).
///
///   remember the list position of the server chosen last (at first: the list head)
///   pick = walk forward from the position after it, wrapping around the list, to the first server
///          with weight > 0 that is not overloaded; remember it. None after a full lap: no server.
///   weights other than 0 are ignored; a failed pick leaves the position where it was.
///
/// Servers of weight 0 never change within one snapshot, so they are left out of the walk when the
/// scheduler is built, O(n). A pick is O(1) while the next server is not overloaded, O(n) at worst
/// (skipping overloaded ones). The position is one integer updated by compare-and-swap: concurrent
/// workers never lock, and every successful pick advances it exactly once, so together they share
/// one cycle. IPVS keeps its position across destination changes: a new scheduler continues after
/// the server its predecessor chose last, or after that server's list predecessor if it was deleted
/// (ip_vs_rr_del_dest), O(n) per table change.
/// </summary>
public sealed class RoundRobinScheduler : IScheduler
{
    /// <summary>The position before the first server: IPVS's list head.</summary>
    private const int ListHead = -1;

    private readonly RealServer[] _servers;

    // List positions of the servers with weight > 0, in list order: the only ones a pick can choose.
    private readonly int[] _candidates;

    // For each list position p (shifted by one, so the head is slot 0): the candidate a walk from p starts at.
    private readonly int[] _firstCandidateAfter;

    // The list position chosen last, or ListHead. A position, not a candidate index, because a later
    // table change may quiesce the remembered server and IPVS still walks on from it.
    private int _last;

    public RoundRobinScheduler(SchedulerContext context)
    {
        _servers = [.. context.Servers];
        int count = 0;
        foreach (var server in _servers)
            if (server.Weight > 0) count++;
        _candidates = new int[count];
        for (int i = 0, c = 0; i < _servers.Length; i++)
            if (_servers[i].Weight > 0) _candidates[c++] = i;
        _firstCandidateAfter = new int[_servers.Length + 1];
        for (int p = _servers.Length - 1, next = 0, c = count; p >= ListHead; p--)
        {
            _firstCandidateAfter[p + 1] = next;   // after the last candidate the walk wraps to the first
            if (p >= 0 && _servers[p].Weight > 0) next = --c;
        }
        _last = context.Previous is RoundRobinScheduler previous ? ResumeAfter(previous) : ListHead;
    }

    public string Name => SchedulerNames.RoundRobin;

    /// <summary>The list position of the server chosen last, or -1 for the list head.</summary>
    internal int LastPosition => Volatile.Read(ref _last);

    public RealServer? Pick(in SchedulingRequest request)
    {
        var candidates = _candidates;
        int count = candidates.Length;
        if (count == 0) return null;
        while (true)
        {
            int last = Volatile.Read(ref _last);
            int i = _firstCandidateAfter[last + 1];
            int found = -1;
            for (int step = 0; step < count; step++)
            {
                if (!_servers[candidates[i]].IsOverloaded)
                {
                    found = i;
                    break;
                }
                if (++i == count) i = 0;
            }
            if (found < 0) return null;
            // Another worker moved the position meanwhile: walk again from where it left it.
            int position = candidates[found];
            if (Interlocked.CompareExchange(ref _last, position, last) == last) return _servers[position];
        }
    }

    /// <summary>The position in this list of the previous scheduler's last choice.</summary>
    private int ResumeAfter(RoundRobinScheduler previous)
    {
        int oldPosition = previous.LastPosition;
        if (oldPosition == ListHead || _servers.Length == 0) return ListHead;
        var positions = new Dictionary<(IPv4Address, ushort), int>(_servers.Length);
        for (int i = 0; i < _servers.Length; i++) positions[(_servers[i].Address, _servers[i].Port)] = i;
        // The same server if it is still listed, else its nearest surviving predecessor, as
        // ip_vs_rr_del_dest moves the position back one entry when the remembered server goes.
        var old = previous._servers;
        for (int j = oldPosition; j >= 0; j--)
            if (positions.TryGetValue((old[j].Address, old[j].Port), out int position))
                return position;
        return ListHead;
    }
}
