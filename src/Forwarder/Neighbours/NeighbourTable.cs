using System.Numerics;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Neighbours;

/// <summary>
/// IPv4 → Ethernet address for the hosts the router sends to directly: real servers on the private
/// side, on-link clients and the gateway on the public side. Filled from ARP (replies to our
/// requests and every ARP frame seen), never from static configuration.
///
/// Reads are the hot path (every forwarded packet): a probe over a fixed array of immutable entries,
/// one volatile read per slot, no lock, no allocation. Writes are rare (a new neighbour or a changed
/// MAC) and publish a new entry object with compare-and-swap; a refresh of a known, unchanged
/// neighbour only stores a timestamp.
/// </summary>
public sealed class NeighbourTable
{
    private const int MaxProbe = 16;
    private readonly Entry?[] _slots;
    private readonly int _mask;
    private readonly int _shift;

    public NeighbourTable(int capacity = 4096)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity));
        _slots = new Entry?[size];
        _mask = size - 1;
        _shift = 32 - BitOperations.Log2((uint)size);
    }

    /// <summary>The neighbour's MAC when it has answered ARP.</summary>
    public bool TryGet(IPv4Address address, out MacAddress mac)
    {
        for (int i = 0, slot = Slot(address); i < MaxProbe; i++, slot = (slot + 1) & _mask)
        {
            var entry = Volatile.Read(ref _slots[slot]);
            if (entry is null) break;
            if (entry.Address == address)
            {
                mac = entry.Mac;
                return mac != MacAddress.Zero;
            }
        }
        mac = default;
        return false;
    }

    /// <summary>Records what an ARP frame told us: <paramref name="address"/> is at <paramref name="mac"/>.</summary>
    public void Learn(IPv4Address address, MacAddress mac, long nowMs)
    {
        if (address == IPv4Address.Any || mac == MacAddress.Zero || mac.IsMulticast) return;
        Store(address, mac, nowMs, requestOnly: false);
    }

    /// <summary>
    /// Records <paramref name="address"/> at <paramref name="mac"/> only if the address has no MAC yet:
    /// for what an IP packet's source suggests (a new client on the link), which saves an ARP round
    /// trip before the first reply but must never overwrite what ARP said: anyone on the link can put
    /// any source address (the gateway's, say) on a packet.
    /// </summary>
    public void LearnIfUnknown(IPv4Address address, MacAddress mac, long nowMs)
    {
        if (TryGet(address, out _)) return;
        Learn(address, mac, nowMs);
    }

    /// <summary>
    /// Whether an ARP request for <paramref name="address"/> should go out now: true at most once per
    /// <paramref name="retryMs"/> for an address we do not know yet, so a burst of packets to an
    /// unresolved real server sends one request, not one per packet.
    /// </summary>
    public bool ShouldRequest(IPv4Address address, long nowMs, long retryMs = 1000)
    {
        for (int i = 0, slot = Slot(address); i < MaxProbe; i++, slot = (slot + 1) & _mask)
        {
            var entry = Volatile.Read(ref _slots[slot]);
            if (entry is null) break;
            if (entry.Address != address) continue;
            long last = Volatile.Read(ref entry.RequestedAtMs);
            return nowMs - last >= retryMs && Interlocked.CompareExchange(ref entry.RequestedAtMs, nowMs, last) == last;
        }
        Store(address, MacAddress.Zero, nowMs, requestOnly: true);
        return true;
    }

    /// <summary>Every known neighbour (for status output).</summary>
    public IEnumerable<(IPv4Address Address, MacAddress Mac)> Known()
    {
        foreach (var entry in _slots)
            if (entry is not null && entry.Mac != MacAddress.Zero) yield return (entry.Address, entry.Mac);
    }

    private void Store(IPv4Address address, MacAddress mac, long nowMs, bool requestOnly)
    {
        for (int i = 0, slot = Slot(address); i < MaxProbe; i++, slot = (slot + 1) & _mask)
        {
            while (true)
            {
                var entry = Volatile.Read(ref _slots[slot]);
                if (entry is not null && entry.Address != address) break; // someone else's slot: probe on
                if (entry is not null && (requestOnly || entry.Mac == mac))
                {
                    Volatile.Write(ref entry.LearnedAtMs, nowMs);
                    return;
                }
                var replacement = new Entry(address, mac) { LearnedAtMs = nowMs, RequestedAtMs = requestOnly ? nowMs : 0 };
                if (Interlocked.CompareExchange(ref _slots[slot], replacement, entry) == entry) return;
            }
        }
        // The probe window is full: the neighbour stays unknown and its packets are counted as
        // unresolved; a table this full means far more neighbours than a router has.
    }

    // Fibonacci hashing: the product's top bits spread consecutive addresses (a /24 of servers) evenly.
    private int Slot(IPv4Address address) => (int)((address.Value * 2654435761u) >> _shift);

    private sealed class Entry(IPv4Address address, MacAddress mac)
    {
        public readonly IPv4Address Address = address;
        public readonly MacAddress Mac = mac;
        public long LearnedAtMs;
        public long RequestedAtMs;
    }
}
