using System.Runtime.CompilerServices;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Control;

/// <summary>
/// IPVS's rate estimator (ip_vs_est.c) for ipvsadm --rate, in its own integer arithmetic: every 2
/// seconds each service's and each server's counters are sampled; the rate over the period, scaled
/// (connections and packets by 2^10 per second, bytes by 2^5), moves the average a quarter of the
/// way towards it with an arithmetic shift (avg += (rate - avg) >> 2), and is shown rounded up
/// from the scaled value as IPVS shows it ((avg + 0x1FF) >> 10, (avg + 0xF) >> 5). A counter set is
/// estimated from zero, as IPVS starts a service's estimator with it; ipvsadm -Z starts it again.
/// </summary>
public sealed class RateEstimator : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private readonly ConditionalWeakTable<TrafficCounters, Estimate> _estimates = new();
    private readonly Func<ServiceTableSnapshot> _table;
    private readonly ITimer? _timer;

    public RateEstimator(Func<ServiceTableSnapshot> table, TimeProvider? time = null, bool start = true)
    {
        _table = table;
        if (start) _timer = (time ?? TimeProvider.System).CreateTimer(_ => Sample(), null, Period, Period);
    }

    /// <summary>One estimation period: called by the timer, or by tests directly.</summary>
    public void Sample()
    {
        foreach (var service in _table().Services)
        {
            Update(service.Traffic);
            foreach (var server in service.RealServers) Update(server.Counters.Traffic);
        }
    }

    /// <summary>Connections, packets and bytes per second, in and out, as IPVS would show them now.</summary>
    public (ulong Connections, ulong InPackets, ulong OutPackets, ulong InBytes, ulong OutBytes) RatesOf(TrafficCounters counters)
    {
        if (!_estimates.TryGetValue(counters, out var e)) return default;
        lock (e)
            return (Shown(e.Cps, 0x1FF, 10), Shown(e.InPps, 0x1FF, 10), Shown(e.OutPps, 0x1FF, 10),
                Shown(e.InBps, 0xF, 5), Shown(e.OutBps, 0xF, 5));
    }

    /// <summary>ipvsadm -Z (ip_vs_zero_estimator): the averages restart from zero with the zeroed counters.</summary>
    public void Reset(TrafficCounters counters) => _estimates.Remove(counters);

    private void Update(TrafficCounters counters)
    {
        var now = counters.Read();
        var e = _estimates.GetValue(counters, _ => new Estimate());
        lock (e)
        {
            // Per 2-second period: conns << 9 is conns/s scaled by 2^10; bytes << 4 is bytes/s scaled by 2^5.
            e.Cps += (((now.Connections - e.Last.Connections) << 9) - e.Cps) >> 2;
            e.InPps += (((now.PacketsIn - e.Last.PacketsIn) << 9) - e.InPps) >> 2;
            e.OutPps += (((now.PacketsOut - e.Last.PacketsOut) << 9) - e.OutPps) >> 2;
            e.InBps += (((now.BytesIn - e.Last.BytesIn) << 4) - e.InBps) >> 2;
            e.OutBps += (((now.BytesOut - e.Last.BytesOut) << 4) - e.OutBps) >> 2;
            e.Last = now;
        }
    }

    private static ulong Shown(long average, long round, int shift) => average <= 0 ? 0 : (ulong)((average + round) >> shift);

    public void Dispose() => _timer?.Dispose();

    private sealed class Estimate
    {
        public TrafficSnapshot Last;
        public long Cps, InPps, OutPps, InBps, OutBps;
    }
}
