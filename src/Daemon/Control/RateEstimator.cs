using System.Runtime.CompilerServices;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Control;

/// <summary>
/// IPVS's rate estimator (ip_vs_est.c) for ipvsadm --rate: every 2 seconds each service's and each
/// server's counters are sampled, the rate over those 2 seconds is computed, and the shown rate moves
/// a quarter of the way towards it (avg += (rate - avg) / 4), so a burst fades over a few periods.
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

    /// <summary>Connections, packets and bytes per second, in and out, as last estimated.</summary>
    public (ulong Connections, ulong InPackets, ulong OutPackets, ulong InBytes, ulong OutBytes) RatesOf(TrafficCounters counters)
    {
        if (!_estimates.TryGetValue(counters, out var e)) return default;
        lock (e)
            return ((ulong)Math.Round(e.Cps), (ulong)Math.Round(e.InPps), (ulong)Math.Round(e.OutPps),
                (ulong)Math.Round(e.InBps), (ulong)Math.Round(e.OutBps));
    }

    private void Update(TrafficCounters counters)
    {
        var now = counters.Read();
        var e = _estimates.GetValue(counters, _ => new Estimate { Last = now });
        double seconds = Period.TotalSeconds;
        lock (e)
        {
            e.Cps = Smooth(e.Cps, now.Connections - e.Last.Connections, seconds);
            e.InPps = Smooth(e.InPps, now.PacketsIn - e.Last.PacketsIn, seconds);
            e.OutPps = Smooth(e.OutPps, now.PacketsOut - e.Last.PacketsOut, seconds);
            e.InBps = Smooth(e.InBps, now.BytesIn - e.Last.BytesIn, seconds);
            e.OutBps = Smooth(e.OutBps, now.BytesOut - e.Last.BytesOut, seconds);
            e.Last = now;
        }
    }

    // A negative delta means the counters were zeroed (ipvsadm -Z): count from zero again.
    private static double Smooth(double average, long delta, double seconds) =>
        average + (Math.Max(0, delta) / seconds - average) / 4;

    public void Dispose() => _timer?.Dispose();

    private sealed class Estimate
    {
        public TrafficSnapshot Last;
        public double Cps, InPps, OutPps, InBps, OutBps;
    }
}
