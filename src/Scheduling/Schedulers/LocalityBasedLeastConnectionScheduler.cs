namespace UserLvs.Scheduling;

/// <summary>
/// Locality-Based Least-Connection scheduling, IPVS's "lblc" (ip_vs_lblc.c), for caches and other
/// services where requests for one destination address should reach the same server:
///
///   n = cache[request's destination address]
///   if n is missing, or n is not usable (no longer listed, weight 0, over its upper threshold),
///      or is_overloaded(n) (active(n) > weight(n) while some server has active*2 &lt; weight):
///        n = the weighted least-connection server (least (active*256 + inactive) / weight,
///            h1*w2 > h2*w1 in 64 bits, ties to the earlier server: __ip_vs_lblc_schedule)
///        cache[address] = n
///   return n
///
/// Entries unused for lblc_expiration (24 h) are dropped by the periodic collection, and sooner
/// (6 min) while the cache holds more than 16384 entries: <see cref="DestinationTable{TPayload}"/>.
///
/// Costs: a cached pick is a lookup of at most 16 slots plus O(1) checks; a fresh one reads the
/// root of a <see cref="SelectionTree{TRule}"/> (IPVS scans every server twice: for is_overloaded
/// and to schedule) and claims a slot with one CompareExchange. A counter change costs O(log n).
/// No lock, no allocation per pick. A table change builds a new instance in O(n) that takes the
/// previous instance's cache over (IPVS keeps the cache across destination changes); an entry
/// whose server has left the list is not usable and is replaced on its next pick.
///
/// One deviation, on purpose: IPVS uses a cached server even over its upper threshold (-x),
/// since ip_vs_lblc_schedule checks only IP_VS_DEST_CF_AVAILABLE and weight there; here an
/// overloaded cached server is rescheduled, as the threshold promises no new connections.
/// </summary>
public sealed class LocalityBasedLeastConnectionScheduler : IScheduler, ICounterListener, IDisposable
{
    private readonly IReadOnlyList<RealServer> _servers;
    private readonly TimeProvider _clock;
    private readonly DestinationTable<int> _cache;
    private readonly ServerDirectory _directory;
    private readonly ServerView _view;
    private readonly SelectionTree<WeightedLeastConnectionScheduler.Rule> _tree;
    private readonly LocalityOverload _overload;
    private readonly ITimer _timer;

    public LocalityBasedLeastConnectionScheduler(SchedulerContext context)
    {
        _servers = context.Servers;
        _clock = context.Clock;
        if (context.Previous is LocalityBasedLeastConnectionScheduler previous)
        {
            _cache = previous._cache;
            _directory = previous._directory;
        }
        else
        {
            _cache = new DestinationTable<int>(_clock, context.RandomSource.Next(uint.MaxValue),
                DestinationTable<int>.DefaultExpiration);
            _directory = new ServerDirectory();
        }
        _view = _directory.Bind(_servers);
        _tree = new(_servers);
        _overload = new(_servers);
        _timer = CollectionTimer.Start(_clock, _cache);
    }

    public string Name => SchedulerNames.LocalityBasedLeastConnection;

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
            int id = Volatile.Read(ref _cache.Payload(slot));
            if (_cache.Holds(slot, address) && _view.Listed(id) is { } cached
                && cached.IsAvailable && !_overload.IsOverloaded(cached))
                return cached;
        }

        // No entry, or it is not usable: schedule afresh and remember the choice.
        int index = _tree.WinnerIndex;
        if (index < 0) return null;
        Remember(address, _view.IdOf(index), now);
        return _servers[index];
    }

    /// <summary>ip_vs_lblc_new: create the entry, or point an existing one at the new server.</summary>
    private void Remember(uint address, int id, long now)
    {
        int slot = _cache.Claim(address, now, out bool created);
        if (slot < 0) return;
        if (created)
        {
            Volatile.Write(ref _cache.Payload(slot), id);
            _cache.Publish(slot, address);
        }
        else if (_cache.Holds(slot, address))
        {
            Volatile.Write(ref _cache.Payload(slot), id);
        }
    }

    /// <summary>The server cached for a destination address, if listed (for tests and diagnostics).</summary>
    internal RealServer? CachedServer(IPv4Address destination)
    {
        int slot = _cache.Find(destination.Value);
        return slot < 0 ? null : _view.Listed(Volatile.Read(ref _cache.Payload(slot)));
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
