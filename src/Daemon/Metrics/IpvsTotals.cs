using UserLvs.Scheduling;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// The router-wide totals of /proc/net/ip_vs_stats (node_ipvs_connections_total and friends). The
/// kernel counts them per packet in its own tot_stats, apart from the services, so they keep what a
/// deleted service carried. Here the per-service counters are the only per-packet cost, so the
/// totals are folded from them off the hot path: at every scrape and every table publish, each
/// service's counters add what they gained since the previous fold (a reading below the previous one
/// means ipvsadm -Z zeroed them: what they hold now is all new), and a service that has left the table
/// is read one last time and forgotten. The sums only ever grow, as a Prometheus counter must.
/// Cost of a fold: O(services) reads of striped counters; per packet: nothing.
/// </summary>
internal sealed class IpvsTotals
{
    private readonly Dictionary<TrafficCounters, TrafficSnapshot> _last = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<TrafficCounters> _live = new(ReferenceEqualityComparer.Instance);
    private readonly List<TrafficCounters> _gone = [];

    public TrafficSnapshot Sum { get; private set; }

    /// <summary>Adds what every known service counted since the last fold; forgets services no longer in <paramref name="table"/>.</summary>
    public void Fold(ServiceTableSnapshot table)
    {
        _live.Clear();
        foreach (var service in table.Services) _live.Add(service.Traffic);
        _gone.Clear();
        foreach (var counters in _last.Keys)
            if (!_live.Contains(counters)) _gone.Add(counters);
        // Services that just left the table are read once more, so traffic they saw after the last
        // scrape still counts, then dropped.
        foreach (var counters in _gone)
        {
            Add(counters);
            _last.Remove(counters);
        }
        foreach (var counters in _live) Add(counters);
    }

    private void Add(TrafficCounters counters)
    {
        var now = counters.Read();
        var before = _last.GetValueOrDefault(counters);
        var sum = Sum;
        Sum = new TrafficSnapshot(
            sum.Connections + Gain(before.Connections, now.Connections),
            sum.PacketsIn + Gain(before.PacketsIn, now.PacketsIn),
            sum.PacketsOut + Gain(before.PacketsOut, now.PacketsOut),
            sum.BytesIn + Gain(before.BytesIn, now.BytesIn),
            sum.BytesOut + Gain(before.BytesOut, now.BytesOut));
        _last[counters] = now;
    }

    private static long Gain(long before, long now) => now >= before ? now - before : now;
}
