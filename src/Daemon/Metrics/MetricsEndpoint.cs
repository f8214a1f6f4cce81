using System.Net;
using System.Net.Sockets;
using Prometheus;
using UserLvs.Daemon.Hosting;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// <c>userlvsd --metrics ADDR:PORT</c>: Prometheus text at http://ADDR:PORT/metrics, served by
/// prometheus-net's stand-alone MetricServer (HttpListener, no ASP.NET). Nothing is counted for the
/// metrics on the packet path: every value is read when a scrape arrives, from the published table
/// snapshot, the striped traffic counters, the workers' frame totals and the status sources, under
/// one lock that only scrapes and table publishes take. Cost of a scrape: O(services + servers).
/// Names follow node_exporter's IPVS collector where one exists (node_ipvs_*), userlvs_* otherwise.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    private const int FreePortAttempts = 5;

    private readonly object _collectLock = new();
    private readonly ServiceTable _table;
    private readonly Func<ForwarderTotals> _totals;
    private readonly TableMetrics _tableMetrics;
    private readonly FrameMetrics _frameMetrics;
    private readonly StatusMetrics _statusMetrics;
    private readonly MetricServer _server;
    private IStatusSource[] _sources = [];
    private int _disposed;

    private MetricsEndpoint(MetricsAddress address, ServiceTable table, Func<ForwarderTotals> totals, MetricServer server, CollectorRegistry registry)
    {
        Address = address;
        _table = table;
        _totals = totals;
        _server = server;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _tableMetrics = new TableMetrics(factory);
        _frameMetrics = new FrameMetrics(factory);
        _statusMetrics = new StatusMetrics(factory);
        registry.AddBeforeCollectCallback(Collect);
        _table.Published += OnPublished;
    }

    /// <summary>Where the endpoint listens (a requested port 0 replaced by the port it got).</summary>
    public MetricsAddress Address { get; }

    /// <summary>The scrape URL (a wildcard address shown as the loopback one).</summary>
    public Uri Url => new($"http://{(Address.IsWildcard ? new MetricsAddress(IPAddress.Loopback, Address.Port) : Address)}/metrics");

    /// <summary>
    /// Parses <paramref name="address"/> ("127.0.0.1:9100") and starts serving; throws
    /// <see cref="FormatException"/> for a malformed address and <see cref="InvalidOperationException"/>
    /// when it cannot listen there, each with a message fit for the log.
    /// </summary>
    public static MetricsEndpoint Start(string address, ServiceTable table, Func<ForwarderTotals> totals) =>
        Start(MetricsAddress.Parse(address), table, totals);

    public static MetricsEndpoint Start(MetricsAddress address, ServiceTable table, Func<ForwarderTotals> totals)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(totals);
        // HttpListener cannot report the port it was given for 0, so a free one is asked of the OS;
        // another process may take it in between, hence a few attempts.
        int attempts = address.Port == 0 ? FreePortAttempts : 1;
        for (int attempt = 1; ; attempt++)
        {
            var bound = address.Port == 0 ? address.WithPort(FreePort(address)) : address;
            var registry = Prometheus.Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            var server = new MetricServer(bound.ListenerHost, bound.Port, "metrics/", registry);
            try
            {
                var endpoint = new MetricsEndpoint(bound, table, totals, server, registry);
                try
                {
                    server.Start();
                    return endpoint;
                }
                catch
                {
                    endpoint.Dispose();
                    throw;
                }
            }
            catch (Exception e) when (e is HttpListenerException or SocketException)
            {
                server.Dispose();
                if (attempt < attempts) continue;
                throw new InvalidOperationException($"cannot serve metrics on {bound}: {e.Message}", e);
            }
        }
    }

    /// <summary>Adds a health or failover module's reports; later sources override earlier ones for the same server.</summary>
    public void AddStatusSource(IStatusSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_collectLock) _sources = [.. _sources, source];
    }

    // prometheus-net 8.2.1 runs this before every scrape and swallows what it throws (a trace line,
    // stale values): the parts fed by other modules therefore catch their own failures (StatusMetrics).
    private void Collect()
    {
        lock (_collectLock)
        {
            _tableMetrics.Update(_table.Current);
            _frameMetrics.Update(_totals());
            _statusMetrics.Update(_sources);
        }
    }

    private void OnPublished(ServiceTableSnapshot snapshot)
    {
        lock (_collectLock) _tableMetrics.Published(snapshot);
    }

    private static int FreePort(MetricsAddress address)
    {
        using var probe = new TcpListener(address.Address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _table.Published -= OnPublished;
        try { _server.Stop(); }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        _server.Dispose();
    }
}
