using Prometheus;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// A labelled metric family whose series follow the live table. Each scrape sets the series it sees;
/// <see cref="Sweep"/> then unpublishes every label set set by the previous scrape but not by this
/// one, so a removed service or real server disappears from the output instead of lingering with its
/// last value. Cost: one dictionary probe per series per scrape; nothing per packet. Callers serialise
/// scrapes (the endpoint's collect lock).
/// </summary>
internal abstract class TrackedSeries<TChild> where TChild : ChildBase
{
    private readonly Collector<TChild> _family;
    private Dictionary<string, string[]> _published = new(StringComparer.Ordinal);
    private Dictionary<string, string[]> _seen = new(StringComparer.Ordinal);

    protected TrackedSeries(Collector<TChild> family) => _family = family;

    public void Set(string[] labels, double value)
    {
        _seen[string.Join('\u001f', labels)] = labels;
        Write(_family, labels, value);
    }

    /// <summary>Ends a scrape: label sets not set since the last sweep are removed from the output.</summary>
    public void Sweep()
    {
        foreach (var (key, labels) in _published)
            if (!_seen.ContainsKey(key)) _family.RemoveLabelled(labels);
        (_published, _seen) = (_seen, _published);
        _seen.Clear();
    }

    protected abstract void Write(Collector<TChild> family, string[] labels, double value);
}

/// <summary>A gauge series: the value is whatever the table says now.</summary>
internal sealed class TrackedGauge(Gauge family) : TrackedSeries<Gauge.Child>(family)
{
    protected override void Write(Collector<Gauge.Child> family, string[] labels, double value) =>
        family.WithLabels(labels).Set(value);
}

/// <summary>
/// A counter series mirrored from a counter we do not own. prometheus-net counters only go up, so a
/// reading below the published value (ipvsadm -Z zeroed it) recreates the series: Prometheus sees a
/// counter reset, which rate() and increase() already handle.
/// </summary>
internal sealed class TrackedCounter(Counter family) : TrackedSeries<Counter.Child>(family)
{
    protected override void Write(Collector<Counter.Child> family, string[] labels, double value)
    {
        var child = family.WithLabels(labels);
        if (value < child.Value)
        {
            family.RemoveLabelled(labels);
            child = family.WithLabels(labels);
        }
        child.IncTo(value);
    }
}
