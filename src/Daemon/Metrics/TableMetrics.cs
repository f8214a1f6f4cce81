using Prometheus;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// The service table as node_exporter's IPVS collector shows a kernel IPVS router: the router-wide
/// totals (node_ipvs_connections_total, _incoming/_outgoing_packets_total, _bytes_total; see
/// <see cref="IpvsTotals"/>) and, per real server of every virtual service, the lines of
/// /proc/net/ip_vs (node_ipvs_backend_connections_active, _inactive, node_ipvs_backend_weight).
/// Beyond node_exporter, ipvsadm --stats per service and per server (userlvs_virtual_service_* and
/// userlvs_real_server_*, same labels) and the number of virtual services. Read at scrape time from
/// the published snapshot and the live counters: O(services + servers) per scrape, nothing per packet.
/// </summary>
internal sealed class TableMetrics
{
    private readonly IpvsTotals _totals = new();
    private readonly Counter _connections, _packetsIn, _packetsOut, _bytesIn, _bytesOut;
    private readonly TrackedGauge _active, _inactive, _weight;
    private readonly TrafficSeries _serviceTraffic, _serverTraffic;
    private readonly Gauge _virtualServices;

    public TableMetrics(IMetricFactory factory)
    {
        _connections = factory.CreateCounter("node_ipvs_connections_total", "The total number of connections made.");
        _packetsIn = factory.CreateCounter("node_ipvs_incoming_packets_total", "The total number of incoming packets.");
        _packetsOut = factory.CreateCounter("node_ipvs_outgoing_packets_total", "The total number of outgoing packets.");
        _bytesIn = factory.CreateCounter("node_ipvs_incoming_bytes_total", "The total amount of incoming data.");
        _bytesOut = factory.CreateCounter("node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.");
        var servers = IpvsLabels.RealServerNames;
        _active = new(factory.CreateGauge("node_ipvs_backend_connections_active", "The current active connections by local and remote address.", servers));
        _inactive = new(factory.CreateGauge("node_ipvs_backend_connections_inactive", "The current inactive connections by local and remote address.", servers));
        _weight = new(factory.CreateGauge("node_ipvs_backend_weight", "The current backend weight by local and remote address.", servers));
        _serviceTraffic = new(factory, "userlvs_virtual_service_", IpvsLabels.ServiceNames, "the virtual service");
        _serverTraffic = new(factory, "userlvs_real_server_", servers, "the real server of the virtual service");
        _virtualServices = factory.CreateGauge("userlvs_virtual_services", "The number of virtual services in the table.");
    }

    /// <summary>A table publish: services that left are read one last time for the totals.</summary>
    public void Published(ServiceTableSnapshot table) => _totals.Fold(table);

    public void Update(ServiceTableSnapshot table)
    {
        _totals.Fold(table);
        var sum = _totals.Sum;
        _connections.IncTo(sum.Connections);
        _packetsIn.IncTo(sum.PacketsIn);
        _packetsOut.IncTo(sum.PacketsOut);
        _bytesIn.IncTo(sum.BytesIn);
        _bytesOut.IncTo(sum.BytesOut);
        _virtualServices.Set(table.Count);

        foreach (var service in table.Services)
        {
            var key = service.Key;
            _serviceTraffic.Set(IpvsLabels.ForService(key), service.Traffic.Read());
            foreach (var server in service.RealServers)
            {
                var labels = IpvsLabels.ForRealServer(key, server.Address, server.Port);
                _active.Set(labels, server.ActiveConnections);
                _inactive.Set(labels, server.InactiveConnections);
                _weight.Set(labels, server.Weight);
                _serverTraffic.Set(labels, server.Counters.Traffic.Read());
            }
        }
        _active.Sweep();
        _inactive.Sweep();
        _weight.Sweep();
        _serviceTraffic.Sweep();
        _serverTraffic.Sweep();
    }
}
