namespace UserLvs.Scheduling;

/// <summary>
/// Locality-Based Least-Connection with Replication scheduling, IPVS's "lblcr" (ip_vs_lblcr.c):
/// like lblc, but a destination address maps to a set of servers, so a popular destination can
/// be served by several:
///
///   set = cache[request's destination address]
///   if set is missing:
///        n = the weighted least-connection server; cache[address] = {n}
///   else:
///        n = the least loaded usable member (ip_vs_dest_set_min)
///        if |set| > 1 and now - set.lastmod > lblcr_expiration (24 h):
///             remove the most loaded member (ip_vs_dest_set_max)          -- the set shrinks
///        if n is missing or is_overloaded(n) (active(n) > weight(n) while some server has
///        active*2 &lt; weight):
///             n = the weighted least-connection server; add n to set       -- replication
///   return n
///
/// "Weighted least-connection" is __ip_vs_lblcr_schedule: least (active*256 + inactive) / weight,
/// h1*w2 > h2*w1 in 64 bits, ties to the earlier server. Entries are collected as in lblc
/// (<see cref="DestinationTable{TPayload}"/>); a set holds at most <see cref="ServerSet.Capacity"/>
/// servers (when full, the new server is used but not added, as when IPVS's allocation fails).
///
/// Costs: a cached pick is a lookup of at most 16 slots plus O(set size ≤ 8); a fresh one reads the
/// root of a <see cref="SelectionTree{TRule}"/> (IPVS scans every server). A set change is made by
/// whoever wins the set's busy flag; a loser skips it and never waits. A counter change costs
/// O(log n). No lock, no allocation per pick. A table change builds a new instance in O(n) that
/// takes the previous instance's cache over; a member that has left the list is skipped by Min
/// (IPVS: no longer IP_VS_DEST_CF_AVAILABLE) but still weighed by Max, as IPVS weighs a trashed
/// destination.
/// </summary>
public sealed class LocalityBasedLeastConnectionWithReplicationScheduler : IScheduler, ICounterListener, IDisposable
{
    private readonly IReadOnlyList<RealServer> _servers;
    private readonly TimeProvider _clock;
    private readonly DestinationTable<ServerSet> _cache;
    private readonly ServerDirectory _directory;
    private readonly ServerView _view;
    private readonly SelectionTree<WeightedLeastConnectionScheduler.Rule> _tree;
    private readonly LocalityOverload _overload;
    private readonly ITimer _timer;

    public LocalityBasedLeastConnectionWithReplicationScheduler(SchedulerContext context)
    {
        _servers = context.Servers;
        _clock = context.Clock;
        if (context.Previous is LocalityBasedLeastConnectionWithReplicationScheduler previous)
        {
            _cache = previous._cache;
            _directory = previous._directory;
        }
        else
        {
            _cache = new DestinationTable<ServerSet>(_clock, context.RandomSource.Next(uint.MaxValue),
                DestinationTable<ServerSet>.DefaultExpiration);
            _directory = new ServerDirectory();
        }
        _view = _directory.Bind(_servers);
        _tree = new(_servers);
        _overload = new(_servers);
        _timer = CollectionTimer.Start(_clock, _cache);
    }

    public string Name => SchedulerNames.LocalityBasedLeastConnectionWithReplication;

    /// <summary>The number of cached destination addresses.</summary>
    internal int CachedEntries => _cache.Count;

    public RealServer? Pick(in SchedulingRequest request)
    {
        uint address = request.VirtualAddress.Value;
        long now = _clock.GetTimestamp();

        int slot = _cache.Find(address);
        if (slot >= 0)
        {
            _cache.Touch(slot, now);
            ref ServerSet set = ref _cache.Payload(slot);
            var least = set.Min(_view);

            // More than one member and unchanged for longer than the expiration: drop the busiest.
            if (set.Size > 1 && now - set.LastModified > _cache.Expiration && set.TryEnter())
            {
                if (_cache.Holds(slot, address) && set.Size > 1 && set.MaxId(_view) is var most and >= 0)
                    set.Erase(most, now);
                set.Exit();
            }

            if (_cache.Holds(slot, address))
            {
                if (least is not null && !_overload.IsOverloaded(least)) return least;

                // No usable member, or the least loaded one is overloaded: replicate.
                int fresh = _tree.WinnerIndex;
                if (fresh < 0) return null;
                if (set.TryEnter())
                {
                    if (_cache.Holds(slot, address)) set.Insert(_view.IdOf(fresh), now);
                    set.Exit();
                }
                return _servers[fresh];
            }
        }

        // No entry: schedule afresh and cache the one-server set.
        int index = _tree.WinnerIndex;
        if (index < 0) return null;
        Remember(address, _view.IdOf(index), now);
        return _servers[index];
    }

    /// <summary>ip_vs_lblcr_new: create the entry with {server}, or add the server to an entry created meanwhile.</summary>
    private void Remember(uint address, int id, long now)
    {
        int slot = _cache.Claim(address, now, out bool created);
        if (slot < 0) return;
        ref ServerSet set = ref _cache.Payload(slot);
        if (!set.TryEnter())
        {
            // A thread still changing the set of this slot's previous entry: do not cache.
            if (created) _cache.Abandon(slot, address);
            return;
        }
        if (created) set.Initialize(id, now);
        else if (_cache.Holds(slot, address)) set.Insert(id, now);
        set.Exit();
        if (created) _cache.Publish(slot, address);
    }

    /// <summary>The servers in a destination address's set, newest first (for tests and diagnostics; allocates).</summary>
    internal IReadOnlyList<RealServer> CachedServers(IPv4Address destination)
    {
        int slot = _cache.Find(destination.Value);
        if (slot < 0) return [];
        var servers = new List<RealServer>();
        foreach (int id in _cache.Payload(slot).MemberIds())
            if (_view.Known(id) is { } server) servers.Add(server);
        return servers;
    }

    public void CountersChanged(int serverIndex)
    {
        _tree.Update(serverIndex);
        _overload.Update(serverIndex);
    }

    public void RefreshAll()
    {
        _tree.RefreshAll();
        _overload.RefreshAll();
    }

    /// <summary>Stops this instance's collection timer; the cache lives on in a successor that took it over.</summary>
    public void Dispose() => _timer.Dispose();
}
