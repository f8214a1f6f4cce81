using BenchmarkDotNet.Attributes;
using UserLvs.Scheduling;

namespace UserLvs.Benchmarks;

/// <summary>
/// One scheduling decision per invocation, for every LVS scheduler at 8, 64 and 1024 real servers.
/// Servers have mixed weights (1..10) and live connection counters, so count-driven schedulers have
/// real work; clients cycle through 4096 addresses and ports, so hashing ones touch many buckets.
/// Targets: 0 bytes allocated; at 1024 servers under 20 ns for rr/wrr/dh/sh/mh/fo and 100 ns otherwise.
/// </summary>
[Config(typeof(BenchConfig))]
public class SchedulerPickBenchmarks
{
    private SchedulingRequest[] _requests = [];
    private IScheduler _scheduler = null!;
    private int _next;

    [Params("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "mh", "fo", "ovf", "twos")]
    public string Scheduler { get; set; } = "wlc";

    [Params(8, 64, 1024)]
    public int Servers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var table = new ServiceTable();
        var key = new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);
        table.AddService(new VirtualServiceConfig(key, Scheduler));
        var random = new Random(42);
        for (int i = 0; i < Servers; i++)
            table.AddRealServer(key, new RealServer(new IPv4Address(0x0A000000u + (uint)i + 1), 80, weight: 1 + i % 10));
        foreach (var server in table.Current.Find(key)!.RealServers)
        {
            // Loaded but below weight*... so lblc/ovf see a realistic mix of busy and idle servers.
            for (int a = random.Next(0, 40); a > 0; a--) server.Counters.ConnectionBound(active: true);
            for (int n = random.Next(0, 80); n > 0; n--) server.Counters.ConnectionBound(active: false);
        }
        _scheduler = table.Current.Find(key)!.Scheduler;
        _requests = Enumerable.Range(0, 4096)
            .Select(i => new SchedulingRequest(new IPv4Address(0xC6336400u + (uint)random.Next()), (ushort)(1024 + i),
                new IPv4Address(0xC0000200u + (uint)(i % 64)), 80))
            .ToArray();
        for (int i = 0; i < 10_000; i++) Pick(); // fills lblc/lblcr caches: steady state, not first sight
    }

    [Benchmark]
    public RealServer? Pick() => _scheduler.Pick(in _requests[_next++ & 4095]);
}
