using UserLvs.Daemon.Metrics;
using UserLvs.Failover;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Metrics;

/// <summary>
/// Health and failover hooks: absent until a module reports (absent is not "down" and not "backup"),
/// then one line per reported server and a role state set; what is no longer reported vanishes.
/// </summary>
public class StatusMetricsTests
{
    private const string Web2 = """local_address="192.0.2.10",local_mark="",local_port="80",proto="TCP",remote_address="10.0.0.2",remote_port="8080" """;
    private const string Web3 = """local_address="192.0.2.10",local_mark="",local_port="80",proto="TCP",remote_address="10.0.0.3",remote_port="8080" """;

    private sealed class FakeNanny : IStatusSource
    {
        public List<RealServerHealth> Servers { get; } = [];
        public List<RealServerTransitions> Changes { get; } = [];
        public IReadOnlyCollection<RealServerHealth> RealServers => [.. Servers];
        public IReadOnlyCollection<RealServerTransitions> Transitions => [.. Changes];
    }

    private sealed class FakePulse : IStatusSource
    {
        public RouterRole? Current { get; set; }
        public RouterRole? Role => Current;
        public FailoverCounters? Counters { get; set; }
        public FailoverCounters? Failover => Counters;
    }

    private sealed class BrokenSource : IStatusSource
    {
        public IReadOnlyCollection<RealServerHealth> RealServers => throw new InvalidOperationException("nanny table is being rebuilt");
    }

    /// <summary>Yields one server, then fails: as a source iterating a list that changes under it might.</summary>
    private sealed class HalfBrokenNanny : IStatusSource
    {
        public IReadOnlyCollection<RealServerHealth> RealServers => new Failing();

        private sealed class Failing : IReadOnlyCollection<RealServerHealth>
        {
            public int Count => 2;
            public IEnumerator<RealServerHealth> GetEnumerator()
            {
                yield return Health("10.0.0.2", up: true);
                throw new InvalidOperationException("collection was modified");
            }
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }

    private static RealServerHealth Health(string address, bool up) =>
        new(MetricsScrape.Web, IPv4Address.Parse(address), 8080, up);

    [Fact]
    public async Task Scrape_NoStatusSource_ShowsNoHealthAndNoRole()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);

        var samples = await scrape.SamplesAsync();

        Assert.DoesNotContain(samples, s => s.StartsWith("userlvs_real_server_up", StringComparison.Ordinal));
        Assert.DoesNotContain(samples, s => s.StartsWith("userlvs_router_role", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_NannyReports_OneUpLinePerCheckedServer_EvenOneOutOfTheTable()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        var nanny = new FakeNanny();
        // 10.0.0.3 failed its check and nanny took it out of the table: its 0 is what matters.
        nanny.Servers.AddRange([Health("10.0.0.2", up: true), Health("10.0.0.3", up: false)]);
        scrape.Endpoint.AddStatusSource(nanny);

        var samples = await scrape.SamplesAsync();

        Assert.Contains($"userlvs_real_server_up{{{Web2.TrimEnd()}}} 1", samples);
        Assert.Contains($"userlvs_real_server_up{{{Web3.TrimEnd()}}} 0", samples);
        Assert.DoesNotContain(samples, s => s.StartsWith("userlvs_router_role", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_NannyTransitions_AreCountedPerServerAndDirection()
    {
        using var scrape = new MetricsScrape();
        var nanny = new FakeNanny();
        nanny.Changes.Add(new RealServerTransitions(MetricsScrape.Web, IPv4Address.Parse("10.0.0.3"), 8080, Down: 2, Up: 1));
        scrape.Endpoint.AddStatusSource(nanny);

        var samples = await scrape.SamplesAsync();

        Assert.Contains($"userlvs_nanny_transitions_total{{{Web3.TrimEnd()},to=\"down\"}} 2", samples);
        Assert.Contains($"userlvs_nanny_transitions_total{{{Web3.TrimEnd()},to=\"up\"}} 1", samples);
    }

    [Fact]
    public async Task Scrape_ServerNoLongerChecked_ItsUpLineVanishes()
    {
        using var scrape = new MetricsScrape();
        var nanny = new FakeNanny();
        nanny.Servers.AddRange([Health("10.0.0.2", up: true), Health("10.0.0.3", up: true)]);
        scrape.Endpoint.AddStatusSource(nanny);
        Assert.Equal(2, (await scrape.SamplesAsync()).Count(s => s.StartsWith("userlvs_real_server_up{", StringComparison.Ordinal)));

        nanny.Servers.RemoveAt(1);
        var samples = await scrape.SamplesAsync();

        Assert.Contains($"userlvs_real_server_up{{{Web2.TrimEnd()}}} 1", samples);
        Assert.DoesNotContain(samples, s => s.Contains("remote_address=\"10.0.0.3\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_PulseReportsActive_RoleIsAStateSet()
    {
        using var scrape = new MetricsScrape();
        var pulse = new FakePulse { Current = RouterRole.Active };
        scrape.Endpoint.AddStatusSource(pulse);

        var samples = await scrape.SamplesAsync();

        Assert.Contains("userlvs_router_role{role=\"active\"} 1", samples);
        Assert.Contains("userlvs_router_role{role=\"backup\"} 0", samples);
        Assert.Contains("userlvs_router_role{role=\"shutdown\"} 0", samples);
        Assert.DoesNotContain(samples, s => s.StartsWith("userlvs_real_server_up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_PulseCounters_ShowRoleTransitionsAndRefusedDatagramsByReason()
    {
        using var scrape = new MetricsScrape();
        var pulse = new FakePulse
        {
            Current = RouterRole.Active,
            Counters = new FailoverCounters(3, new Dictionary<string, long> { ["bad_mac"] = 20, ["replayed"] = 2, ["truncated"] = 0 }),
        };
        scrape.Endpoint.AddStatusSource(pulse);

        var samples = await scrape.SamplesAsync();

        Assert.Contains("userlvs_router_role_transitions_total{router=\"this\"} 3", samples);
        Assert.Contains("userlvs_pulse_messages_rejected_total{reason=\"bad_mac\"} 20", samples);
        Assert.Contains("userlvs_pulse_messages_rejected_total{reason=\"replayed\"} 2", samples);
        Assert.Contains("userlvs_pulse_messages_rejected_total{reason=\"truncated\"} 0", samples);
    }

    [Fact]
    public async Task Scrape_RoleChangesThenIsUnknown_LinesFollowThenVanish()
    {
        using var scrape = new MetricsScrape();
        var pulse = new FakePulse { Current = RouterRole.Backup };
        scrape.Endpoint.AddStatusSource(pulse);
        Assert.Contains("userlvs_router_role{role=\"backup\"} 1", await scrape.SamplesAsync());

        pulse.Current = RouterRole.Active;
        var afterFailover = await scrape.SamplesAsync();
        pulse.Current = null;
        var afterUnknown = await scrape.SamplesAsync();

        Assert.Contains("userlvs_router_role{role=\"active\"} 1", afterFailover);
        Assert.Contains("userlvs_router_role{role=\"backup\"} 0", afterFailover);
        Assert.DoesNotContain(afterUnknown, s => s.StartsWith("userlvs_router_role", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_SourceThrows_ItsSeriesAreLeftOut_TheRestIsServed_TheErrorIsCounted()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        var nanny = new FakeNanny();
        nanny.Servers.Add(Health("10.0.0.2", up: true));
        scrape.Endpoint.AddStatusSource(new FakePulse { Current = RouterRole.Active });
        scrape.Endpoint.AddStatusSource(nanny);
        Assert.Contains($"userlvs_real_server_up{{{Web2.TrimEnd()}}} 1", await scrape.SamplesAsync());

        scrape.Endpoint.AddStatusSource(new BrokenSource());
        var samples = await scrape.SamplesAsync();

        Assert.Contains("userlvs_status_source_errors_total 1", samples);
        Assert.Contains($"userlvs_real_server_up{{{Web2.TrimEnd()}}} 1", samples);
        Assert.Contains("userlvs_router_role{role=\"active\"} 1", samples);
        Assert.Contains("""node_ipvs_backend_weight{local_address="192.0.2.10",local_mark="",local_port="80",proto="TCP",remote_address="10.0.0.2",remote_port="8080"} 1""", samples);
    }

    [Fact]
    public async Task Scrape_SourceFailsHalfWay_NoneOfItsServersAreShown()
    {
        using var scrape = new MetricsScrape();
        scrape.Endpoint.AddStatusSource(new HalfBrokenNanny());

        var samples = await scrape.SamplesAsync();

        Assert.DoesNotContain(samples, s => s.StartsWith("userlvs_real_server_up", StringComparison.Ordinal));
        Assert.Contains("userlvs_status_source_errors_total 1", samples);
    }
}
