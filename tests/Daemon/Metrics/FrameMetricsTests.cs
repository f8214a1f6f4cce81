using UserLvs.Daemon.Hosting;
using UserLvs.Daemon.Metrics;
using UserLvs.Forwarder;

namespace UserLvs.Daemon.Tests.Metrics;

/// <summary>The forwarder's frame accounting: one series per outcome, one per drop reason, zeros shown.</summary>
public class FrameMetricsTests
{
    [Fact]
    public async Task Scrape_FramesByOutcome_MirrorTheForwarderTotals()
    {
        using var scrape = new MetricsScrape();
        scrape.Totals = new ForwarderTotals
        {
            Received = 100, ForwardedToServers = 50, ForwardedToClients = 40, Answered = 3, LeftToKernel = 2, Dropped = 5,
        };

        var samples = await scrape.SamplesAsync();

        Assert.Contains("userlvs_frames_total{outcome=\"forwarded_to_servers\"} 50", samples);
        Assert.Contains("userlvs_frames_total{outcome=\"forwarded_to_clients\"} 40", samples);
        Assert.Contains("userlvs_frames_total{outcome=\"answered\"} 3", samples);
        Assert.Contains("userlvs_frames_total{outcome=\"left_to_kernel\"} 2", samples);
        Assert.Contains("userlvs_frames_total{outcome=\"dropped\"} 5", samples);
        Assert.Equal(5, samples.Count(s => s.StartsWith("userlvs_frames_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Scrape_IcmpErrors_ShowSentAndSuppressed()
    {
        using var scrape = new MetricsScrape();
        scrape.Totals.IcmpErrorsSent = 7;
        scrape.Totals.IcmpErrorsSuppressed = 2;

        var samples = await scrape.SamplesAsync();

        Assert.Contains("userlvs_icmp_errors_total{outcome=\"sent\"} 7", samples);
        Assert.Contains("userlvs_icmp_errors_total{outcome=\"suppressed\"} 2", samples);
    }

    [Fact]
    public async Task Scrape_EveryDropReason_IsShown_ZeroIncluded()
    {
        using var scrape = new MetricsScrape();
        scrape.Totals.Drops[nameof(DropReason.NoRealServer)] = 4;
        scrape.Totals.Drops[nameof(DropReason.BadIpv4HeaderChecksum)] = 1;

        var samples = await scrape.SamplesAsync();

        var drops = samples.Where(s => s.StartsWith("userlvs_frames_dropped_total{", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Enum.GetValues<DropReason>().Length - 1, drops.Length); // every reason but None
        Assert.Contains("userlvs_frames_dropped_total{reason=\"no_real_server\"} 4", drops);
        Assert.Contains("userlvs_frames_dropped_total{reason=\"bad_ipv4_header_checksum\"} 1", drops);
        Assert.Contains("userlvs_frames_dropped_total{reason=\"truncated_by_backend\"} 0", drops);
        Assert.Contains("userlvs_frames_dropped_total{reason=\"ttl_expired\"} 0", drops);
        Assert.DoesNotContain("userlvs_frames_dropped_total{reason=\"none\"} 0", drops);
    }

    [Fact]
    public async Task Scrape_FrameCounters_FollowTheWorkersBetweenScrapes()
    {
        using var scrape = new MetricsScrape();
        scrape.Totals.ForwardedToServers = 10;
        Assert.Contains("userlvs_frames_total{outcome=\"forwarded_to_servers\"} 10", await scrape.SamplesAsync());

        scrape.Totals.ForwardedToServers = 25;

        Assert.Contains("userlvs_frames_total{outcome=\"forwarded_to_servers\"} 25", await scrape.SamplesAsync());
    }

    [Theory]
    [InlineData("NoRealServer", "no_real_server")]
    [InlineData("BadIpv4HeaderChecksum", "bad_ipv4_header_checksum")]
    [InlineData("TruncatedIpv4Header", "truncated_ipv4_header")]
    [InlineData("BadIhl", "bad_ihl")]
    [InlineData("Fragment", "fragment")]
    public void SnakeCase_SplitsWordsAtCapitals_KeepsIpv4Whole(string name, string expected) =>
        Assert.Equal(expected, FrameMetrics.SnakeCase(name));

    [Fact]
    public void SnakeCase_EveryDropReason_IsAValidDistinctLabelValue()
    {
        var names = Enum.GetValues<DropReason>().Select(r => FrameMetrics.SnakeCase(r.ToString())).ToArray();

        Assert.All(names, n => Assert.Matches("^[a-z][a-z0-9]*(_[a-z0-9]+)*$", n));
        Assert.Equal(names.Length, names.Distinct().Count());
    }
}
