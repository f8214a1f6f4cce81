using BenchmarkDotNet.Attributes;
using UserLvs.Scheduling;

namespace UserLvs.Benchmarks;

/// <summary>
/// What a worker does for every packet towards a VIP before anything else: find the virtual
/// service by (protocol, VIP, port) in the published snapshot. Target: no allocation, no lock.
/// </summary>
[Config(typeof(BenchConfig))]
public class ServiceTableLookupBenchmarks
{
    private VirtualServiceKey[] _keys = [];
    private ServiceTable _table = null!;
    private int _next;

    [Params(1, 100, 10_000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _table = new ServiceTable();
        var services = Enumerable.Range(0, Services)
            .Select(i => (new VirtualServiceConfig(new VirtualServiceKey(i % 2 == 0 ? Protocol.Tcp : Protocol.Udp,
                new IPv4Address(0xC0000200u + (uint)(i / 64)), (ushort)(80 + i % 64)), "rr"),
                (IReadOnlyList<RealServer>)[new RealServer(IPv4Address.Parse("10.0.0.11"), 80)]))
            .ToList();
        _table.Replace(services);
        _keys = services.Select(s => s.Item1.Key).Concat([new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("203.0.113.1"), 80)]).ToArray();
    }

    [Benchmark]
    public VirtualService? Lookup()
    {
        var key = _keys[_next++ % _keys.Length];
        return _table.Current.TryGetService(in key, out var service) ? service : null;
    }
}
