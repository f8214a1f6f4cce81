using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// Lookups of a whole receive batch at memory speed rather than memory latency.
///
/// With a million connections a lookup is two dependent cache misses (the index slot, then the entry
/// it names), each a trip to DRAM of ~80–100 ns plus a TLB miss; one at a time they cost 120–150 ns.
/// A batch knows all its keys up front, so it can start every miss before it needs any of them:
///
///   stage 1  for each frame: tag = Prefetch…(key)             the index lines start loading
///   stage 2  for each frame: Prefetch…Entry(tag)              index lines are in; entries start loading
///   stage 3  for each frame: Lookup…(key) as usual            both lines are in cache
///
/// The core keeps ~10–20 misses in flight instead of one. Prefetches are hints: they never fault,
/// never change the table and never change what a lookup answers, so a batch may skip them. A
/// large table's arrays live on the large object heap, which does not move them; a small table's may
/// move under a hint, which at worst makes that hint useless. No allocation, lock or exception.
/// </summary>
public sealed partial class ConnectionTable
{
    /// <summary>Stage 1 for a client's packet: starts loading its inbound index slot; returns the tag for stage 2.</summary>
    public uint PrefetchInbound(Protocol protocol, IPv4Address client, ushort clientPort, IPv4Address virtualAddress, ushort virtualPort)
    {
        uint tag = InboundTag(protocol, client.Value, clientPort, virtualAddress.Value, virtualPort);
        Prefetch(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_inbound), (nint)(tag & (uint)_indexMask)));
        return tag;
    }

    /// <summary>Stage 1 for a real server's reply: starts loading its outbound index slot; returns the tag for stage 2.</summary>
    public uint PrefetchOutbound(Protocol protocol, IPv4Address realAddress, ushort realPort, IPv4Address client, ushort clientPort)
    {
        uint tag = OutboundTag(protocol, realAddress.Value, realPort, client.Value, clientPort);
        Prefetch(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_outbound), (nint)(tag & (uint)_indexMask)));
        return tag;
    }

    /// <summary>Stage 2: the entry the first slot with this tag names starts loading (a tag collision only wastes the hint).</summary>
    public void PrefetchInboundEntry(uint tag) => PrefetchEntry(_inbound, tag);

    /// <inheritdoc cref="PrefetchInboundEntry"/>
    public void PrefetchOutboundEntry(uint tag) => PrefetchEntry(_outbound, tag);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchEntry(ulong[] indexArray, uint tag)
    {
        ref ulong index = ref MemoryMarshal.GetArrayDataReference(indexArray);
        uint mask = (uint)_indexMask;
        uint i = tag & mask;
        // A few probes at most: at load factor 1/2 runs are short, and a hint need not be complete.
        for (int probe = 0; probe < 4; probe++, i = (i + 1) & mask)
        {
            ulong slot = Unsafe.Add(ref index, (nint)i);
            if (slot == 0) return;
            if ((uint)(slot >> 32) != tag) continue;
            // A 48-byte entry straddles two cache lines at half of all positions: ask for both ends.
            ref byte entry = ref Unsafe.As<ConnectionEntry, byte>(ref EntryAt((int)(uint)slot - 1));
            Prefetch(ref entry);
            Prefetch(ref Unsafe.Add(ref entry, Unsafe.SizeOf<ConnectionEntry>() - 1));
            return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<T>(ref T location)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref location));
    }
}
