using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;

namespace UserLvs.Benchmarks;

/// <summary>
/// The per-packet connection lookup (IPVS's ip_vs_conn_in_get / ip_vs_conn_out_get) in a table that
/// tracks 1,000,000 connections at capacity 2^20 (95% of the entries used, each index half full).
///
///   Uniform  every lookup hits a random one of the 1M connections: a 96 MB table touched at random,
///            so a lookup pays a miss to DRAM (and, in a VM, a TLB miss) — the worst case, bounded
///            by memory rather than by the code.
///   Hot      lookups hit 10,000 connections spread over the same 1M-connection table: the working
///            set of a busy router, where most tracked connections are idle (keep-alive, TIME_WAIT)
///            and the packets belong to the few that are active; their lines stay in cache.
/// Keys are visited in a shuffled order, one per invocation; every lookup hits. Target: under
/// 30 ns, 0 bytes. The setup prints BytesPerConnection and the process memory the 1M table took.
///
/// The table asks for 2 MiB pages itself (HugePageAdvice); the setup prints how much of the process's
/// anonymous memory the kernel backed with them, from /proc/self/smaps_rollup.
/// </summary>
[Config(typeof(BenchConfig))]
public class ConnectionTableBenchmarks
{
    public const int Connections = 1_000_000;
    public const int Capacity = 1 << 20;
    public const int HotConnections = 10_000;

    private static readonly VirtualServiceKey Service = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);

    private ConnectionTable _table = null!;
    private Key[] _keys = [];
    private int _mask;
    private int _next;

    [Params("Uniform", "Hot")]
    public string WorkingSet { get; set; } = "Uniform";

    [GlobalSetup]
    public void Setup()
    {
        var servers = Enumerable.Range(1, 64).Select(i => new RealServer(new IPv4Address(0x0A000000u + (uint)i), 8080)).ToArray();
        var random = new Random(42);
        var all = new Key[Connections];

        long managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        long processBefore = Process.GetCurrentProcess().WorkingSet64;
        _table = new ConnectionTable(Capacity, new IpvsTimeouts());
        for (int i = 0; i < Connections; i++)
        {
            // Distinct clients: a random address, the port taken from i so no two keys collide.
            var client = new IPv4Address(0xC6000000u | (uint)random.Next(0, 1 << 24));
            var port = (ushort)(1024 + i % 60_000);
            var server = servers[i & 63];
            var result = _table.TryAdd(Service, client, port, server, 0, out _);
            if (result == ConnectionAddResult.Exists) { i--; continue; } // same address and port drawn twice
            if (result != ConnectionAddResult.Added) throw new InvalidOperationException($"add {i}: {result}");
            all[i] = new Key(client, port, server.Address, server.Port);
        }
        long managedAfter = GC.GetTotalMemory(forceFullCollection: true);
        long processAfter = Process.GetCurrentProcess().WorkingSet64;
        Console.WriteLine($"// ConnectionTable: capacity {Capacity}, {_table.Count} connections, " +
            $"BytesPerConnection {ConnectionTable.BytesPerConnection}, managed heap +{(managedAfter - managedBefore) / 1e6:F1} MB " +
            $"({(double)(managedAfter - managedBefore) / _table.Count:F1} B/connection), " +
            $"process working set +{(processAfter - processBefore) / 1e6:F1} MB " +
            $"({(double)(processAfter - processBefore) / _table.Count:F1} B/connection)");

        Console.WriteLine($"// {File.ReadLines("/proc/self/smaps_rollup").FirstOrDefault(l => l.StartsWith("AnonHugePages:"))}");

        random.Shuffle(all);
        int size = WorkingSet == "Hot" ? HotConnections : Connections;
        // A power-of-two ring of keys so the next key is a mask, not a division; the hot set repeats
        // its 10,000 keys (shuffled) to fill the ring.
        int ring = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)size);
        _keys = new Key[ring];
        for (int i = 0; i < ring; i++) _keys[i] = all[i % size];
        random.Shuffle(_keys);
        _mask = ring - 1;
    }

    [Benchmark]
    public int LookupInbound()
    {
        ref readonly Key key = ref _keys[_next++ & _mask];
        return _table.LookupInbound(Protocol.Tcp, key.Client, key.ClientPort, Service.Address, Service.Port, 0, 1);
    }

    [Benchmark]
    public int LookupOutbound()
    {
        ref readonly Key key = ref _keys[_next++ & _mask];
        return _table.LookupOutbound(Protocol.Tcp, key.Real, key.RealPort, key.Client, key.ClientPort, 1);
    }

    /// <summary>The forwarding loop's way: a receive batch of 64 packets (NatWorker.BatchSize) looked up in two stages
    /// (every key's home slot prefetched, then every lookup), so the misses overlap. Reported per
    /// lookup; returns the hits, which the smoke run checks are all 64.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int LookupInboundBatched()
    {
        int start = _next;
        _next += Batch;
        for (int i = 0; i < Batch; i++)
        {
            ref readonly Key key = ref _keys[(start + i) & _mask];
            _table.Prefetch(Protocol.Tcp, key.Client, key.ClientPort);
        }
        int found = 0;
        for (int i = 0; i < Batch; i++)
        {
            ref readonly Key key = ref _keys[(start + i) & _mask];
            if (_table.LookupInbound(Protocol.Tcp, key.Client, key.ClientPort, Service.Address, Service.Port, 0, 1) >= 0) found++;
        }
        return found;
    }

    /// <inheritdoc cref="LookupInboundBatched"/>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int LookupOutboundBatched()
    {
        int start = _next;
        _next += Batch;
        for (int i = 0; i < Batch; i++)
        {
            ref readonly Key key = ref _keys[(start + i) & _mask];
            _table.Prefetch(Protocol.Tcp, key.Client, key.ClientPort);
        }
        int found = 0;
        for (int i = 0; i < Batch; i++)
        {
            ref readonly Key key = ref _keys[(start + i) & _mask];
            if (_table.LookupOutbound(Protocol.Tcp, key.Real, key.RealPort, key.Client, key.ClientPort, 1) >= 0) found++;
        }
        return found;
    }

    public const int Batch = 64;

    private readonly record struct Key(IPv4Address Client, ushort ClientPort, IPv4Address Real, ushort RealPort);
}
