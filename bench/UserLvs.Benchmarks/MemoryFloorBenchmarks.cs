using BenchmarkDotNet.Attributes;
using UserLvs.Forwarder.Connections;

namespace UserLvs.Benchmarks;

/// <summary>
/// The yardstick for <see cref="ConnectionTableBenchmarks"/>: what this machine's memory allows for
/// the table's access pattern with no table code at all.
///
/// Why it exists: on a VM the host's memory latency changes within the hour (a dependent DRAM read
/// measured 166–234 ns on one day), and a uniform lookup among 1M connections follows it. Run this
/// right next to the table's benchmark and compare the two, not the table's figure against an old one:
///
///   dotnet run -c Release -- --filter '*ConnectionTable*' '*MemoryFloor*'
///
/// The buffer has the table's shape: 2^21 slots of <see cref="SlotBytes"/> bytes (the 1M-connection
/// table's array, 96 MB), 2 MiB pages asked for the same way (<see cref="HugePageAdvice"/>), slots
/// visited in the same orders (Uniform: any of 1M random slots; Hot: 10,000 of them).
///
///   DependentRead  each slot names the next one in a random cycle, so each read waits for the one
///                  before: one memory latency per read, what a lone lookup pays.
///   BatchedRead    the worker's batch: 64 slots, 4 lines prefetched from each, then each slot's
///                  first 16 bytes read (ConnectionTable.Prefetch's pattern; no hash, no compare).
///                  The table's batched lookup cannot be cheaper than this; the difference is its
///                  code (hash twice, probe, expiry check).
/// </summary>
[Config(typeof(BenchConfig))]
public class MemoryFloorBenchmarks
{
    // The table's shape by construction: its slot count at the table benchmark's capacity, its
    // entry size, its prefetch depth.
    public const int Slots = 2 * ConnectionTableBenchmarks.Capacity;
    public static readonly int SlotBytes = System.Runtime.CompilerServices.Unsafe.SizeOf<ConnectionEntry>();
    public const int Batch = ConnectionTableBenchmarks.Batch;
    private const int PrefetchLines = ConnectionTable.PrefetchLines;

    private byte[] _memory = [];
    private int[] _slots = [];
    private int _mask;
    private int _next;
    private int _chase;

    [Params("Uniform", "Hot")]
    public string WorkingSet { get; set; } = "Uniform";

    [GlobalSetup]
    public void Setup()
    {
        _memory = GC.AllocateUninitializedArray<byte>(Slots * SlotBytes, pinned: true);
        long advised = HugePageAdvice.Advise(_memory);
        Array.Clear(_memory); // first touch, after the advice, as the table does

        var random = new Random(42);
        int size = WorkingSet == "Hot" ? ConnectionTableBenchmarks.HotConnections : ConnectionTableBenchmarks.Connections;
        var chosen = new int[size];
        var taken = new HashSet<int>();
        for (int i = 0; i < size; i++)
        {
            int slot = random.Next(0, Slots);
            if (!taken.Add(slot)) { i--; continue; }
            chosen[i] = slot;
        }
        // The dependent chain: a random cycle through the chosen slots, each slot's first int names the next.
        for (int i = 0; i < size; i++) BitConverter.TryWriteBytes(_memory.AsSpan(chosen[i] * SlotBytes), chosen[(i + 1) % size]);
        _chase = chosen[0];

        int ring = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)size);
        _slots = new int[ring];
        for (int i = 0; i < ring; i++) _slots[i] = chosen[i % size];
        random.Shuffle(_slots);
        _mask = ring - 1;
        Console.WriteLine($"// MemoryFloor: {Slots} slots of {SlotBytes} B, {advised >> 20} MiB advised for huge pages, " +
            $"{File.ReadLines("/proc/self/smaps_rollup").FirstOrDefault(l => l.StartsWith("AnonHugePages:"))}");
    }

    /// <summary>How many reads the dependent chain takes to come back to its start (for the smoke run:
    /// a short cycle would stay in cache and measure nothing).</summary>
    public int ChainLength()
    {
        int start = _chase, length = 0;
        do { DependentRead(); length++; } while (_chase != start && length <= Slots);
        return length;
    }

    [Benchmark]
    public unsafe int DependentRead()
    {
        fixed (byte* memory = _memory) _chase = *(int*)(memory + (long)_chase * SlotBytes);
        return _chase;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public unsafe long BatchedRead()
    {
        int start = _next;
        _next += Batch;
        long sum = 0;
        fixed (byte* memory = _memory)
        {
            for (int i = 0; i < Batch; i++)
            {
                byte* slot = memory + (long)_slots[(start + i) & _mask] * SlotBytes;
                for (int line = 0; line < PrefetchLines; line++) System.Runtime.Intrinsics.X86.Sse.Prefetch0(slot + line * 64);
            }
            for (int i = 0; i < Batch; i++)
            {
                byte* slot = memory + (long)_slots[(start + i) & _mask] * SlotBytes;
                sum += *(long*)slot + *(long*)(slot + 8);
            }
        }
        return sum;
    }
}
