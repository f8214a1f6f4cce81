using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace UserLvs.Scheduling;

/// <summary>
/// IPVS's per-service and per-server statistics (ip_vs_stats): connections, packets and bytes in
/// (client to server) and out (server to client), as ipvsadm --stats and the metrics show them.
///
/// Every packet touches these, so they must cost no lock and no shared cache line: each worker
/// writes only its own 64-byte stripe with plain additions (one writer per stripe), and readers sum
/// the stripes. A reader may see a stripe mid-update, never a torn 64-bit value on a 64-bit machine.
/// </summary>
public sealed class TrafficCounters
{
    /// <summary>The most workers that may write; worker indexes wrap onto this many stripes.</summary>
    public static readonly int StripeCount = Math.Max(1, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    private readonly Stripe[] _stripes = new Stripe[StripeCount];

    /// <summary>The stripe a worker adds to; hold on to it for the worker's lifetime.</summary>
    public ref Stripe For(int worker) => ref _stripes[worker & (StripeCount - 1)];

    public TrafficSnapshot Read()
    {
        TrafficSnapshot total = default;
        foreach (ref readonly var s in _stripes.AsSpan())
            total = new TrafficSnapshot(
                total.Connections + Volatile.Read(ref Unsafe.AsRef(in s.Connections)),
                total.PacketsIn + Volatile.Read(ref Unsafe.AsRef(in s.PacketsIn)),
                total.PacketsOut + Volatile.Read(ref Unsafe.AsRef(in s.PacketsOut)),
                total.BytesIn + Volatile.Read(ref Unsafe.AsRef(in s.BytesIn)),
                total.BytesOut + Volatile.Read(ref Unsafe.AsRef(in s.BytesOut)));
        return total;
    }

    /// <summary>ipvsadm -Z: start counting from zero again.</summary>
    public void Zero()
    {
        for (int i = 0; i < _stripes.Length; i++) _stripes[i] = default;
    }

    /// <summary>One worker's counts, padded to a cache line so workers never share one.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Stripe
    {
        [FieldOffset(0)] public long Connections;
        [FieldOffset(8)] public long PacketsIn;
        [FieldOffset(16)] public long PacketsOut;
        [FieldOffset(24)] public long BytesIn;
        [FieldOffset(32)] public long BytesOut;
    }
}

/// <summary>A reading of <see cref="TrafficCounters"/>: totals since start or since the last zeroing.</summary>
public readonly record struct TrafficSnapshot(long Connections, long PacketsIn, long PacketsOut, long BytesIn, long BytesOut);
