using UserLvs.Daemon.Hosting;
using UserLvs.Daemon.Metrics;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Metrics;

/// <summary>
/// A metrics endpoint on 127.0.0.1 and a free port over a real <see cref="ServiceTable"/> and a fake
/// totals source (no workers, no network devices), scraped with HttpClient as Prometheus would.
/// </summary>
internal sealed class MetricsScrape : IDisposable
{
    public static readonly VirtualServiceKey Web = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);
    public static readonly VirtualServiceKey Dns = new(Protocol.Udp, IPv4Address.Parse("192.0.2.11"), 53);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public MetricsScrape()
    {
        Endpoint = MetricsEndpoint.Start("127.0.0.1:0", Table, () => Totals);
    }

    public ServiceTable Table { get; } = new();

    /// <summary>What the fake forwarder reports; replace or change it between scrapes.</summary>
    public ForwarderTotals Totals { get; set; } = new();

    public MetricsEndpoint Endpoint { get; }

    public RealServer AddServer(VirtualServiceKey service, string address, ushort port, int weight)
    {
        if (Table.Current.Find(service) is null)
            Assert.Equal(TableResult.Ok, Table.AddService(new VirtualServiceConfig(service, "wlc")));
        var server = new RealServer(IPv4Address.Parse(address), port, weight);
        Assert.Equal(TableResult.Ok, Table.AddRealServer(service, server));
        return server;
    }

    /// <summary>The whole response body.</summary>
    public async Task<string> TextAsync()
    {
        using var response = await _http.GetAsync(Endpoint.Url);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sample lines of one scrape (comments left out).</summary>
    public async Task<string[]> SamplesAsync() =>
        (await TextAsync()).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    public void Dispose()
    {
        Endpoint.Dispose();
        _http.Dispose();
    }
}
