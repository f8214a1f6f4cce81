using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// Lookups of a whole receive batch at memory speed rather than memory latency.
///
/// With a million connections a lookup is a cache miss to DRAM (~100–160 ns on this VM); one at a
/// time they queue. A batch knows all its keys up front, so it can start every miss before it needs
/// any of them:
///
///   stage 1  for each frame: Prefetch(client endpoint)     the home slots start loading
///   stage 2  for each frame: Lookup…(key) as usual         the lines are in cache
///
/// The core keeps many misses in flight instead of one. Both directions find a connection from the
/// client's endpoint, so one hint serves a client's packet and a server's reply alike. Prefetches
/// are hints: they never fault, never change the table and never change what a lookup answers, so a
/// batch may skip them. A large table's array lives on the large object heap, which does not move
/// it; a small table's may move under a hint, which at worst makes that hint useless. No
/// allocation, lock or exception.
/// </summary>
public sealed partial class ConnectionTable
{
    /// <summary>How many 64-byte lines from the home slot's first byte a hint asks for.</summary>
    internal const int PrefetchLines = 4;

    /// <summary>
    /// Starts loading the home slot of a client endpoint and the lines after it. Why four lines (the
    /// home entry and at least three more): at a load of 1/2, 76% of entries sit in their home slot,
    /// 90% within one slot of it and 98.7% within four (measured on 1M connections), and a probe that
    /// runs past the lines asked for costs a whole trip to memory; a miss (a new connection's lookup)
    /// probes about 2.4 slots. Measured on 1M connections, batches of 64: lines 1–2 (the home entry):
    /// ~40 ns a lookup; 2–3 lines: ~32 ns; 4 lines: ~23 ns; 6 lines: ~22 ns (bench/RESULTS.md §3 run 7). Adjacent lines of one
    /// 2 MiB page are cheap to fetch together; the probe after a line too few is not.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(Protocol protocol, IPv4Address client, ushort clientPort)
    {
        if (!Sse.IsSupported) return;
        uint home = Hash(protocol, client.Value, clientPort) & _slotMask;
        // A raw address, not a managed reference: the lines after the last slot lie past the array,
        // where a hint is harmless (prefetches never fault) but a reference must never point.
        byte* slot = (byte*)Unsafe.AsPointer(ref EntryAt((int)home));
        for (int line = 0; line < PrefetchLines; line++) Sse.Prefetch0(slot + line * 64);
    }
}
