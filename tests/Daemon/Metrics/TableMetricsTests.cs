using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Metrics;

/// <summary>
/// The service table as a scrape shows it: node_exporter's IPVS names, labels and values
/// (collector/ipvs_linux.go over /proc/net/ip_vs and /proc/net/ip_vs_stats), plus ipvsadm --stats per
/// service and per server under userlvs_*. Lines are compared whole: name, labels in node_exporter's
/// order, value.
/// </summary>
public class TableMetricsTests
{
    private const string WebServer2 = """local_address="192.0.2.10",local_mark="",local_port="80",proto="TCP",remote_address="10.0.0.2",remote_port="8080" """;
    private const string WebServer3 = """local_address="192.0.2.10",local_mark="",local_port="80",proto="TCP",remote_address="10.0.0.3",remote_port="8080" """;
    private const string DnsServer5 = """local_address="192.0.2.11",local_mark="",local_port="53",proto="UDP",remote_address="10.0.0.5",remote_port="53" """;

    private static string Line(string name, string labels, long value) => $"{name}{{{labels.TrimEnd()}}} {value}";

    private static void Bind(RealServer server, int active, int inactive)
    {
        for (int i = 0; i < active; i++) server.Counters.ConnectionBound(active: true);
        for (int i = 0; i < inactive; i++) server.Counters.ConnectionBound(active: false);
    }

    private static void AddTraffic(TrafficCounters counters, long connections, long packetsIn, long packetsOut, long bytesIn, long bytesOut)
    {
        ref var stripe = ref counters.For(0);
        stripe.Connections += connections;
        stripe.PacketsIn += packetsIn;
        stripe.PacketsOut += packetsOut;
        stripe.BytesIn += bytesIn;
        stripe.BytesOut += bytesOut;
    }

    [Fact]
    public async Task Scrape_EachRealServer_HasNodeExporterBackendLines()
    {
        using var scrape = new MetricsScrape();
        var web2 = scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 3);
        var web3 = scrape.AddServer(MetricsScrape.Web, "10.0.0.3", 8080, weight: 1);
        var dns5 = scrape.AddServer(MetricsScrape.Dns, "10.0.0.5", 53, weight: 2);
        Bind(web2, active: 2, inactive: 1);
        Bind(web3, active: 0, inactive: 4);
        Bind(dns5, active: 0, inactive: 7); // UDP connections are never active in IPVS

        var samples = await scrape.SamplesAsync();

        Assert.Contains(Line("node_ipvs_backend_connections_active", WebServer2, 2), samples);
        Assert.Contains(Line("node_ipvs_backend_connections_inactive", WebServer2, 1), samples);
        Assert.Contains(Line("node_ipvs_backend_weight", WebServer2, 3), samples);
        Assert.Contains(Line("node_ipvs_backend_connections_active", WebServer3, 0), samples);
        Assert.Contains(Line("node_ipvs_backend_connections_inactive", WebServer3, 4), samples);
        Assert.Contains(Line("node_ipvs_backend_weight", WebServer3, 1), samples);
        Assert.Contains(Line("node_ipvs_backend_connections_active", DnsServer5, 0), samples);
        Assert.Contains(Line("node_ipvs_backend_connections_inactive", DnsServer5, 7), samples);
        Assert.Contains(Line("node_ipvs_backend_weight", DnsServer5, 2), samples);
        Assert.Equal(3, samples.Count(s => s.StartsWith("node_ipvs_backend_weight{", StringComparison.Ordinal)));
        Assert.Contains("userlvs_virtual_services 2", samples);
    }

    [Fact]
    public async Task Scrape_QuiescedServer_ShowsWeightZero()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 3);
        Assert.Equal(TableResult.Ok, scrape.Table.EditRealServer(MetricsScrape.Web, IPv4Address.Parse("10.0.0.2"), 8080, 0, 0, 0, ForwardingMethod.Masquerade));

        Assert.Contains(Line("node_ipvs_backend_weight", WebServer2, 0), await scrape.SamplesAsync());
    }

    [Fact]
    public async Task Scrape_Totals_AreTheSumOverEveryService()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        scrape.AddServer(MetricsScrape.Dns, "10.0.0.5", 53, weight: 1);
        AddTraffic(scrape.Table.Current.Find(MetricsScrape.Web)!.Traffic, 3, 30, 20, 3000, 20000);
        AddTraffic(scrape.Table.Current.Find(MetricsScrape.Dns)!.Traffic, 5, 5, 5, 400, 900);

        var samples = await scrape.SamplesAsync();

        Assert.Contains("node_ipvs_connections_total 8", samples);
        Assert.Contains("node_ipvs_incoming_packets_total 35", samples);
        Assert.Contains("node_ipvs_outgoing_packets_total 25", samples);
        Assert.Contains("node_ipvs_incoming_bytes_total 3400", samples);
        Assert.Contains("node_ipvs_outgoing_bytes_total 20900", samples);
    }

    [Fact]
    public async Task Scrape_ShowsIpvsadmStatsPerServiceAndPerServer()
    {
        using var scrape = new MetricsScrape();
        var web2 = scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        AddTraffic(scrape.Table.Current.Find(MetricsScrape.Web)!.Traffic, 3, 30, 20, 3000, 20000);
        AddTraffic(web2.Counters.Traffic, 2, 21, 14, 2100, 14000);
        const string web = """local_address="192.0.2.10",local_mark="",local_port="80",proto="TCP" """;

        var samples = await scrape.SamplesAsync();

        Assert.Contains(Line("userlvs_virtual_service_connections_total", web, 3), samples);
        Assert.Contains(Line("userlvs_virtual_service_incoming_packets_total", web, 30), samples);
        Assert.Contains(Line("userlvs_virtual_service_outgoing_packets_total", web, 20), samples);
        Assert.Contains(Line("userlvs_virtual_service_incoming_bytes_total", web, 3000), samples);
        Assert.Contains(Line("userlvs_virtual_service_outgoing_bytes_total", web, 20000), samples);
        Assert.Contains(Line("userlvs_real_server_connections_total", WebServer2, 2), samples);
        Assert.Contains(Line("userlvs_real_server_incoming_packets_total", WebServer2, 21), samples);
        Assert.Contains(Line("userlvs_real_server_outgoing_packets_total", WebServer2, 14), samples);
        Assert.Contains(Line("userlvs_real_server_incoming_bytes_total", WebServer2, 2100), samples);
        Assert.Contains(Line("userlvs_real_server_outgoing_bytes_total", WebServer2, 14000), samples);
    }

    [Fact]
    public async Task Scrape_ReadsLiveCounters_EachScrapeSeesTheNewValues()
    {
        using var scrape = new MetricsScrape();
        var web2 = scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        var traffic = scrape.Table.Current.Find(MetricsScrape.Web)!.Traffic;
        Bind(web2, active: 1, inactive: 0);
        AddTraffic(traffic, 1, 10, 10, 100, 100);
        Assert.Contains("node_ipvs_connections_total 1", await scrape.SamplesAsync());

        Bind(web2, active: 1, inactive: 0);
        AddTraffic(traffic, 1, 10, 10, 100, 100);
        var samples = await scrape.SamplesAsync();

        Assert.Contains("node_ipvs_connections_total 2", samples);
        Assert.Contains(Line("node_ipvs_backend_connections_active", WebServer2, 2), samples);
    }

    [Fact]
    public async Task Scrape_RemovedRealServer_ItsLinesVanish()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        scrape.AddServer(MetricsScrape.Web, "10.0.0.3", 8080, weight: 1);
        // 3 node_ipvs_backend_* lines and 5 userlvs_real_server_*_total lines.
        Assert.Equal(8, (await scrape.SamplesAsync()).Count(s => s.Contains("remote_address=\"10.0.0.3\"", StringComparison.Ordinal)));

        Assert.Equal(TableResult.Ok, scrape.Table.DeleteRealServer(MetricsScrape.Web, IPv4Address.Parse("10.0.0.3"), 8080));
        var samples = await scrape.SamplesAsync();

        Assert.DoesNotContain(samples, s => s.Contains("remote_address=\"10.0.0.3\"", StringComparison.Ordinal));
        Assert.Contains(Line("node_ipvs_backend_weight", WebServer2, 1), samples);
    }

    [Fact]
    public async Task Scrape_RemovedService_ItsLinesVanish_TheTotalsKeepWhatItCarried()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        scrape.AddServer(MetricsScrape.Dns, "10.0.0.5", 53, weight: 1);
        var dns = scrape.Table.Current.Find(MetricsScrape.Dns)!.Traffic;
        AddTraffic(scrape.Table.Current.Find(MetricsScrape.Web)!.Traffic, 3, 0, 0, 0, 0);
        AddTraffic(dns, 5, 0, 0, 0, 0);
        Assert.Contains("node_ipvs_connections_total 8", await scrape.SamplesAsync());

        // Traffic after the last scrape, then the service goes: the kernel's ip_vs_stats keep both.
        AddTraffic(dns, 2, 0, 0, 0, 0);
        Assert.Equal(TableResult.Ok, scrape.Table.DeleteService(MetricsScrape.Dns));
        var samples = await scrape.SamplesAsync();

        Assert.DoesNotContain(samples, s => s.Contains("local_address=\"192.0.2.11\"", StringComparison.Ordinal));
        Assert.Contains("node_ipvs_connections_total 10", samples);
        Assert.Contains("userlvs_virtual_services 1", samples);
    }

    [Fact]
    public async Task Scrape_AfterZeroing_ThePerServiceCounterRestarts_TheTotalsDoNotGoBack()
    {
        using var scrape = new MetricsScrape();
        scrape.AddServer(MetricsScrape.Web, "10.0.0.2", 8080, weight: 1);
        var traffic = scrape.Table.Current.Find(MetricsScrape.Web)!.Traffic;
        AddTraffic(traffic, 9, 0, 0, 0, 0);
        await scrape.SamplesAsync();

        traffic.Zero(); // ipvsadm -Z
        AddTraffic(traffic, 2, 0, 0, 0, 0);
        var samples = await scrape.SamplesAsync();

        Assert.Contains("""userlvs_virtual_service_connections_total{local_address="192.0.2.10",local_mark="",local_port="80",proto="TCP"} 2""", samples);
        Assert.Contains("node_ipvs_connections_total 11", samples);
    }

    [Fact]
    public async Task Scrape_EmptyTable_ShowsZeroTotalsAndNoBackends()
    {
        using var scrape = new MetricsScrape();

        var samples = await scrape.SamplesAsync();

        Assert.Contains("node_ipvs_connections_total 0", samples);
        Assert.Contains("userlvs_virtual_services 0", samples);
        Assert.DoesNotContain(samples, s => s.StartsWith("node_ipvs_backend_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_ServesPrometheusTextFormat()
    {
        using var scrape = new MetricsScrape();
        using var http = new HttpClient();

        using var response = await http.GetAsync(scrape.Endpoint.Url);

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE node_ipvs_connections_total counter\n", text);
        Assert.Contains("# TYPE node_ipvs_backend_weight gauge\n", text);
    }
}
