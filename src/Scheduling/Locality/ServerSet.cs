using System.Runtime.CompilerServices;

namespace UserLvs.Scheduling;

/// <summary>
/// The server set of one lblcr cache entry (IPVS's ip_vs_dest_set), stored inline in the entry.
///
///   Min   ip_vs_dest_set_min: among members in the list, weight > 0 and not overloaded, the
///         least overhead/weight (h1*w2 > h2*w1 in 64 bits), ties to the newest member
///   Max   ip_vs_dest_set_max: among members with weight > 0 (a removed one as last configured),
///         the most overhead/weight, ties to the newest member
///   Insert / Erase  add a member (unless present) / remove one; both set lastmod = now
///
/// IPVS adds members at the head of an unbounded RCU list; here members sit in an array in
/// insertion order and are read newest first, which is the same order. The set holds at most
/// <see cref="Capacity"/> servers (a set grows by one server per overload event and shrinks by
/// one per expiration, so more is rare): when it is full, the newly scheduled server is used
/// but not added, as IPVS does when allocating the element fails. Cost: Min/Max/Insert/Erase
/// O(Capacity), no allocation.
///
/// Reads take no lock. A change (Insert, Erase, filling a new entry) is made only by the thread
/// that wins the per-set busy flag (one CompareExchange); a thread that loses simply skips the
/// change, so nothing ever waits. Members are written before the size is published and an erase
/// shifts the later members down, so a read racing with a change sees only members of the old or
/// the new set.
/// </summary>
internal struct ServerSet
{
    public const int Capacity = 8;

    private int _busy;
    private int _size;
    private long _lastModified;
    private Members _members;

    public readonly int Size => Math.Min(Volatile.Read(in _size), Capacity);

    public readonly long LastModified => Volatile.Read(in _lastModified);

    /// <summary>Takes the right to change the set; false when another thread holds it.</summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>A new entry's set: the one server it was scheduled to (ip_vs_lblcr_new). Caller holds the set.</summary>
    public void Initialize(int id, long now)
    {
        _members[0] = id;
        Volatile.Write(ref _lastModified, now);
        Volatile.Write(ref _size, 1);
    }

    /// <summary>ip_vs_dest_set_insert(check = true). Caller holds the set. False when full.</summary>
    public bool Insert(int id, long now)
    {
        int size = Size;
        for (int i = 0; i < size; i++)
            if (_members[i] == id) return true;
        if (size == Capacity) return false;
        _members[size] = id;
        Volatile.Write(ref _size, size + 1);
        Volatile.Write(ref _lastModified, now);
        return true;
    }

    /// <summary>ip_vs_dest_set_erase. Caller holds the set.</summary>
    public void Erase(int id, long now)
    {
        int size = Size;
        for (int i = 0; i < size; i++)
        {
            if (_members[i] != id) continue;
            for (int j = i; j < size - 1; j++) _members[j] = _members[j + 1];
            Volatile.Write(ref _size, size - 1);
            Volatile.Write(ref _lastModified, now);
            return;
        }
    }

    /// <summary>ip_vs_dest_set_min; null when no member is usable.</summary>
    public readonly RealServer? Min(ServerView view)
    {
        RealServer? least = null;
        long leastOverhead = 0;
        for (int i = Size - 1; i >= 0; i--)
        {
            var server = view.Listed(_members[i]);
            if (server is null || !server.IsAvailable) continue;
            long overhead = server.Overhead;
            // loh * dw > doh * lw: the incumbent's overhead per weight exceeds this member's.
            if (least is null || leastOverhead * server.Weight > overhead * least.Weight)
                (least, leastOverhead) = (server, overhead);
        }
        return least;
    }

    /// <summary>ip_vs_dest_set_max: the id of the most loaded member, or -1 when no member has weight.</summary>
    public readonly int MaxId(ServerView view)
    {
        RealServer? most = null;
        long mostOverhead = 0;
        int mostId = -1;
        for (int i = Size - 1; i >= 0; i--)
        {
            int id = _members[i];
            var server = view.Known(id);
            if (server is null || server.Weight <= 0) continue;
            long overhead = server.Overhead;
            // moh * dw < doh * mw: this member's overhead per weight exceeds the incumbent's.
            if (most is null || mostOverhead * server.Weight < overhead * most.Weight)
                (most, mostOverhead, mostId) = (server, overhead, id);
        }
        return mostId;
    }

    /// <summary>The member ids, newest first (for inspection in tests; allocates).</summary>
    public readonly int[] MemberIds()
    {
        var ids = new int[Size];
        for (int i = 0; i < ids.Length; i++) ids[i] = _members[ids.Length - 1 - i];
        return ids;
    }

    [InlineArray(Capacity)]
    private struct Members
    {
        private int _first;
    }
}
