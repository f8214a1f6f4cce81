namespace UserLvs.Scheduling;

/// <summary>
/// lblc's and lblcr's is_overloaded(dest, svc): a cached server is "overloaded" when
///
///   active(dest) > weight(dest)  and  some server m of the service has active(m) * 2 &lt; weight(m)
///
/// i.e. it is over its weight while another server is under half of its own. IPVS scans the
/// list for m on every such pick: O(n). Here each server carries an "under half" flag and the
/// number of flagged servers is kept up to date from the counter notifications, so the test is
/// O(1); a counter change costs O(1): the flag is swapped with Interlocked.Exchange and the count
/// moves by the difference, then the counters are read again and the swap repeated if they moved
/// meanwhile, so once changes stop the count equals a fresh scan.
/// </summary>
internal sealed class LocalityOverload
{
    private readonly IReadOnlyList<RealServer> _servers;
    private readonly int[] _underHalf;
    private int _underHalfCount;

    public LocalityOverload(IReadOnlyList<RealServer> servers)
    {
        _servers = servers;
        _underHalf = new int[servers.Count];
        RefreshAll();
    }

    public bool IsOverloaded(RealServer server) =>
        server.ActiveConnections > server.Weight && Volatile.Read(ref _underHalfCount) > 0;

    public void Update(int index)
    {
        if ((uint)index >= (uint)_servers.Count) return;
        var server = _servers[index];
        while (true)
        {
            int flag = UnderHalf(server);
            int old = Interlocked.Exchange(ref _underHalf[index], flag);
            if (old != flag) Interlocked.Add(ref _underHalfCount, flag - old);
            if (UnderHalf(server) == flag) return;
        }
    }

    public void RefreshAll()
    {
        for (int i = 0; i < _servers.Count; i++) Update(i);
    }

    // atomic_read(&d->activeconns) * 2 < atomic_read(&d->weight), in 64 bits.
    private static int UnderHalf(RealServer server) => (long)server.ActiveConnections * 2 < server.Weight ? 1 : 0;
}
