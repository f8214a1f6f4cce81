using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>The open-addressing slots: home slots, the probe, free slots and backward-shift deletion.</summary>
public sealed partial class ConnectionTable
{
    /// <summary>The home slot of a client endpoint under this table's seed (for collision tests).</summary>
    internal int HomeSlot(Protocol protocol, IPv4Address client, ushort clientPort) =>
        (int)(Hash(protocol, client.Value, clientPort) & _slotMask);

    // One probe for both directions: from the client endpoint's home slot, each entry of the run is
    // compared on the rest of the key, the virtual service (inbound) or the real server (outbound).
    // `outbound` is a constant at both call sites, so the inlined loop keeps one comparison.
    // No bounds checks: a slot number is masked by _slotMask (the array's length - 1), so it is in
    // range by construction; on a 1M-connection table the lookup is memory-bound and the instructions
    // around its one miss count. A free slot (flags 0) ends a run.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(uint hash, Protocol protocol, uint client, ushort clientPort, uint address, ushort port, bool outbound)
    {
        for (uint i = hash & _slotMask; ; i = (i + 1) & _slotMask)
        {
            ref ConnectionEntry entry = ref EntryAt((int)i);
            if (entry.FlagsField == ConnectionFlags.None) return NotFound;
            if (entry.HashField == hash && entry.ClientValue == client && entry.ClientPortField == clientPort &&
                (outbound ? entry.RealValue : entry.VirtualValue) == address &&
                (outbound ? entry.RealPortField : entry.VirtualPortField) == port &&
                entry.ProtocolField == protocol)
                return (int)i;
        }
    }

    /// <summary>An entry by a slot number that came from a lookup or was masked (always in range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ConnectionEntry EntryAt(int e) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), (nuint)(uint)e);

    /// <summary>The keyed hash of a client endpoint; its low bits are the home slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Hash(Protocol protocol, uint client, ushort clientPort) =>
        (uint)(_hash.Hash(((ulong)client << 32) | ((ulong)protocol << 16) | clientPort, 0) >> 32);

    /// <summary>The first free slot of the run from <paramref name="hash"/>'s home (there is one: the load is at most 1/2).</summary>
    private int FreeSlotFrom(uint hash)
    {
        uint i = hash & _slotMask;
        while (_entries[i].FlagsField != ConnectionFlags.None) i = (i + 1) & _slotMask;
        return (int)i;
    }

    // Linear probing's deletion without tombstones (Knuth's algorithm R): after emptying slot `hole`,
    // walk the run and move back every entry whose home does not lie cyclically in (hole, its slot],
    // so that no probe from an entry's home ever meets a free slot before reaching it.
    private void CloseGap(int index)
    {
        uint hole = (uint)index;
        uint j = hole;
        while (true)
        {
            j = (j + 1) & _slotMask;
            ref ConnectionEntry next = ref _entries[j];
            if (next.FlagsField == ConnectionFlags.None) break;
            uint home = next.HashField & _slotMask;
            if (((j - home) & _slotMask) >= ((j - hole) & _slotMask))
            {
                _entries[hole] = next;
                hole = j;
            }
        }
        _entries[hole] = default;
    }
}
