using Prometheus;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// The five IPVS statistics of ip_vs_stats (what ipvsadm --stats prints: Conns, InPkts, OutPkts,
/// InBytes, OutBytes) as five counter families under one prefix, one series per label set:
/// PREFIX_connections_total, _incoming_packets_total, _outgoing_packets_total, _incoming_bytes_total,
/// _outgoing_bytes_total, named after node_exporter's node_ipvs_* totals.
/// </summary>
internal sealed class TrafficSeries
{
    private readonly TrackedCounter _connections, _packetsIn, _packetsOut, _bytesIn, _bytesOut;

    public TrafficSeries(IMetricFactory factory, string prefix, string[] labelNames, string of)
    {
        _connections = new(factory.CreateCounter(prefix + "connections_total", $"The total number of connections made to {of}.", labelNames));
        _packetsIn = new(factory.CreateCounter(prefix + "incoming_packets_total", $"The total number of incoming packets of {of}.", labelNames));
        _packetsOut = new(factory.CreateCounter(prefix + "outgoing_packets_total", $"The total number of outgoing packets of {of}.", labelNames));
        _bytesIn = new(factory.CreateCounter(prefix + "incoming_bytes_total", $"The total amount of incoming data of {of}.", labelNames));
        _bytesOut = new(factory.CreateCounter(prefix + "outgoing_bytes_total", $"The total amount of outgoing data of {of}.", labelNames));
    }

    public void Set(string[] labels, in TrafficSnapshot traffic)
    {
        _connections.Set(labels, traffic.Connections);
        _packetsIn.Set(labels, traffic.PacketsIn);
        _packetsOut.Set(labels, traffic.PacketsOut);
        _bytesIn.Set(labels, traffic.BytesIn);
        _bytesOut.Set(labels, traffic.BytesOut);
    }

    public void Sweep()
    {
        _connections.Sweep();
        _packetsIn.Sweep();
        _packetsOut.Sweep();
        _bytesIn.Sweep();
        _bytesOut.Sweep();
    }
}
