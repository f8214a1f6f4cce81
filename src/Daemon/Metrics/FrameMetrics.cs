using System.Text;
using Prometheus;
using UserLvs.Daemon.Hosting;
using UserLvs.Forwarder;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// The forwarder's frame accounting (every worker's ForwarderStats summed by ForwarderHost.Totals):
/// userlvs_frames_total{outcome} with one series per outcome a received frame can have, and
/// userlvs_frames_dropped_total{reason} with one series per DropReason (its name in snake_case), 0
/// included, so a dashboard or alert can name a reason before it ever happens. The outcomes sum to
/// the frames received. userlvs_icmp_errors_total{outcome} counts the ICMP errors the forwarder
/// originated (time exceeded, fragmentation needed): sent, or held back by the rate limit. Read at
/// scrape time; the workers count with plain increments as before.
/// </summary>
internal sealed class FrameMetrics
{
    private static readonly string[] ForwardedToServers = ["forwarded_to_servers"];
    private static readonly string[] ForwardedToClients = ["forwarded_to_clients"];
    private static readonly string[] Answered = ["answered"];
    private static readonly string[] LeftToKernel = ["left_to_kernel"];
    private static readonly string[] Dropped = ["dropped"];
    private static readonly string[] Sent = ["sent"];
    private static readonly string[] Suppressed = ["suppressed"];

    private readonly TrackedCounter _frames, _drops, _icmpErrors;
    private readonly (string Name, string[] Labels)[] _reasons;

    public FrameMetrics(IMetricFactory factory)
    {
        _frames = new(factory.CreateCounter("userlvs_frames_total", "Frames received by the forwarder, by what became of them.", ["outcome"]));
        _drops = new(factory.CreateCounter("userlvs_frames_dropped_total", "Frames the forwarder dropped, by reason.", ["reason"]));
        _icmpErrors = new(factory.CreateCounter("userlvs_icmp_errors_total",
            "ICMP errors the forwarder originated (time exceeded, fragmentation needed): sent, or suppressed by the rate limit.", ["outcome"]));
        var reasons = new List<(string, string[])>();
        foreach (var reason in Enum.GetValues<DropReason>())
            if (reason != DropReason.None) reasons.Add((reason.ToString(), [SnakeCase(reason.ToString())]));
        _reasons = [.. reasons];
    }

    public void Update(ForwarderTotals totals)
    {
        _frames.Set(ForwardedToServers, totals.ForwardedToServers);
        _frames.Set(ForwardedToClients, totals.ForwardedToClients);
        _frames.Set(Answered, totals.Answered);
        _frames.Set(LeftToKernel, totals.LeftToKernel);
        _frames.Set(Dropped, totals.Dropped);
        _icmpErrors.Set(Sent, totals.IcmpErrorsSent);
        _icmpErrors.Set(Suppressed, totals.IcmpErrorsSuppressed);
        // ForwarderTotals lists only the reasons that happened; the others are 0, and shown.
        foreach (var (name, labels) in _reasons)
            _drops.Set(labels, totals.Drops.GetValueOrDefault(name));
        _frames.Sweep();
        _drops.Sweep();
        _icmpErrors.Sweep();
    }

    /// <summary>"BadIpv4HeaderChecksum" -> "bad_ipv4_header_checksum": a word starts at a capital after a lower-case letter or digit.</summary>
    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) text.Append('_');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
