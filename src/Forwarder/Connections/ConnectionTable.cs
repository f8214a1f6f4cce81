using System.Numerics;
using System.Runtime.CompilerServices;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// One worker's LVS-NAT connection table: IPVS's ip_vs_conn.c with the state handling of
/// ip_vs_proto_tcp.c / ip_vs_proto_udp.c, in userspace.
///
/// Threading: share-nothing. The packet I/O steers both directions of a connection to one worker (by
/// the client endpoint), so each worker owns one table and only that thread may call it, listing and
/// flushing included (the control plane hands such requests to the worker between batches). Nothing
/// here locks or uses atomics; only the real servers' counters and the shared template table do, and
/// only when a connection is made, changes activity or ends.
///
/// Layout: one flat array of <see cref="ConnectionEntry"/> structs, twice the capacity in slots (load
/// factor at most 1/2), open addressing with linear probing and backward-shift deletion (no
/// tombstones). An entry lives in the slots themselves, not behind an index: a lookup reads the lines
/// of its home slot and, at this load, almost always finds its entry there, one trip to memory.
/// The home slot comes from a hash of (protocol, client address, client port), the part of the key
/// that both directions carry, so one array answers both:
///   inbound  (protocol, client, client port, VIP, vport)  a packet from a client
///   outbound (protocol, RIP, rport, client, client port)  a real server's reply
/// Both probe from the client's home slot and compare the rest of their key in the entry. Entries
/// that share a client endpoint (the same client port to several virtual services) share a probe
/// run, which stays as short as the number of services. The hash is keyed with random seeds per
/// table (<see cref="ConnectionHash"/>), so a client cannot aim its ports at one run. Cost: lookup,
/// add, remove and a state update are O(1) expected; memory is <see cref="BytesPerConnection"/>
/// bytes per connection of capacity. Removal moves later entries of its run back, so a slot number
/// names an entry only until the next call that may remove one.
///
/// Per packet: LookupInbound / LookupOutbound, then Update with the packet's direction and TCP flags
/// (the state walk of IPVS's tcp_states and its timeout; UDP only refreshes its timeout). A miss on
/// a SYN (or any UDP datagram) is scheduled by the caller and offered to <see cref="TryAdd"/>.
///
/// Expiry: an entry expires at now >= ExpiresAt (last packet + its state's timeout). A lookup treats
/// an expired entry as gone and removes it, so answers never depend on when the sweep ran;
/// <see cref="Sweep"/> examines a bounded number of slots per call (once per batch) and unbinds what
/// has expired. conn_reuse (IPVS's conn_reuse_mode 1): a SYN that finds a connection in TIME_WAIT or
/// CLOSE removes it at once and the caller schedules afresh, never a stall.
///
/// Full table: before a NEW connection is refused, up to <see cref="ReclaimBudget"/> slots are swept
/// for expired entries, and failing that the same slots are searched for a TCP connection that has
/// already ended (TIME_WAIT or CLOSE), which gives its slot up. Why: at 15,000 new connections a
/// second (the HTTP lab's Connection: close rate) the 120 s TIME_WAIT alone would fill a table of
/// 2^18 in 17 s and refuse every new client; those entries only absorb stray late segments, which is
/// what Linux gives up too when its TIME_WAIT buckets overflow (tcp_max_tw_buckets). Only then is the
/// connection refused (<see cref="ConnectionAddResult.Full"/>, the caller drops and counts it); a
/// connection that has not ended (established, opening, closing) is never evicted to make room.
///
/// Files: this one (lookups, adds, state, removal, listing); .Slots (the probe, free slots,
/// backward-shift deletion); .Prefetch (a batch's hints); .Expiry (sweep, reclaim, flushes); .Sync
/// (entries from the active router's records).
/// </summary>
public sealed partial class ConnectionTable
{
    public const int NotFound = -1;

    /// <summary>How many slots a refused insert may sweep for expired entries before giving up.</summary>
    public const int ReclaimBudget = 256;

    /// <summary>The largest capacity: the array of 2 * capacity slots must stay addressable by an int.</summary>
    public const int MaxCapacity = 1 << 29;

    private const int SlotsPerConnection = 2;

    private readonly ConnectionEntry[] _entries;
    private readonly int _capacity;
    private readonly uint _slotMask;
    private readonly ConnectionHash _hash;
    private readonly IpvsTimeouts _timeouts;
    private readonly PersistenceTemplateTable? _templates;
    private int _count;
    private int _sweepCursor;

    /// <param name="capacity">The most connections tracked at once; a power of two.</param>
    /// <param name="timeouts">The timeout table, shared by all workers and changed at run time.</param>
    /// <param name="templates">The persistence templates shared by all workers, if any service is persistent.</param>
    public ConnectionTable(int capacity, IpvsTimeouts timeouts, PersistenceTemplateTable? templates = null)
        : this(capacity, timeouts, templates, ConnectionHash.CreateRandom())
    {
    }

    internal ConnectionTable(int capacity, IpvsTimeouts timeouts, PersistenceTemplateTable? templates, ConnectionHash hash)
    {
        if (capacity < 1 || capacity > MaxCapacity || !BitOperations.IsPow2(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a power of two from 1 to {MaxCapacity}");
        ArgumentNullException.ThrowIfNull(timeouts);
        _timeouts = timeouts;
        _templates = templates;
        _hash = hash;
        _capacity = capacity;
        // Zeroed by the runtime: every slot free. A large table asks for 2 MiB pages before the first
        // connection touches it, so that a lookup's one miss needs no page walk.
        _entries = new ConnectionEntry[capacity * SlotsPerConnection];
        HugePageAdvice.Advise(_entries);
        _slotMask = (uint)(_entries.Length - 1);
    }

    /// <summary>
    /// Bytes of table memory per connection of capacity: its two slots (IPVS's struct ip_vs_conn alone
    /// is about 300 bytes, plus its two hash chains).
    /// </summary>
    public static int BytesPerConnection => SlotsPerConnection * Unsafe.SizeOf<ConnectionEntry>();

    /// <summary>The most connections tracked at once.</summary>
    public int Capacity => _capacity;

    /// <summary>The slots an entry may be in: the range of the slot numbers lookups return.</summary>
    public int SlotCount => _entries.Length;

    /// <summary>Connections held, including expired ones the sweep has not reached yet.</summary>
    public int Count => _count;

    /// <summary>
    /// The entry in slot <paramref name="index"/>, as returned by a lookup or an add. A slot number names
    /// that entry until the next call that may remove entries (lookups, TryAdd, Sweep, Remove, the
    /// flushes), which may move it: use it for the packet at hand only. A free slot reads as default.
    /// </summary>
    public ref readonly ConnectionEntry this[int index] => ref _entries[index];

    /// <summary>
    /// Finds the connection of a packet from a client (ip_vs_conn_in_get), or <see cref="NotFound"/>.
    /// An expired entry is removed and not returned; a SYN that meets a connection in TIME_WAIT or
    /// CLOSE removes it (conn_reuse) so that the caller schedules the new connection afresh.
    /// </summary>
    public int LookupInbound(Protocol protocol, IPv4Address client, ushort clientPort,
        IPv4Address virtualAddress, ushort virtualPort, byte tcpFlags, long now) =>
        LookupInbound(Hash(protocol, client.Value, clientPort), protocol, client, clientPort, virtualAddress, virtualPort, tcpFlags, now);

    /// <summary>Finds the connection of a real server's reply (ip_vs_conn_out_get), or <see cref="NotFound"/>.</summary>
    public int LookupOutbound(Protocol protocol, IPv4Address realAddress, ushort realPort,
        IPv4Address client, ushort clientPort, long now) =>
        UnlessExpired(Find(Hash(protocol, client.Value, clientPort), protocol, client.Value, clientPort, realAddress.Value, realPort, outbound: true), now);

    // With the client endpoint's hash already at hand (TryAdd reuses it for the insert).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int LookupInbound(uint hash, Protocol protocol, IPv4Address client, ushort clientPort,
        IPv4Address virtualAddress, ushort virtualPort, byte tcpFlags, long now)
    {
        int index = UnlessExpired(Find(hash, protocol, client.Value, clientPort, virtualAddress.Value, virtualPort, outbound: false), now);
        if (index != NotFound && protocol == Protocol.Tcp && (tcpFlags & TcpStateMachine.Syn) != 0 &&
            EntryAt(index).StateField is TcpState.TimeWait or TcpState.Close)
        {
            Remove(index, now);
            return NotFound;
        }
        return index;
    }

    // A found entry that has expired is removed, its template's timeout starting when it expired, and
    // reads as a miss: answers never depend on when the sweep last ran.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int UnlessExpired(int index, long now)
    {
        if (index == NotFound) return NotFound;
        long expiresAt = EntryAt(index).ExpiresAtField;
        if (now < expiresAt) return index;
        Remove(index, expiresAt);
        return NotFound;
    }

    /// <summary>
    /// Tracks a new connection from <paramref name="client"/> to <paramref name="service"/>, bound to
    /// <paramref name="server"/> (ip_vs_conn_new + ip_vs_bind_dest): it starts in state NONE and
    /// counted inactive, as in IPVS; the caller then applies the first packet with <see cref="Update"/>.
    /// The real port is the server's port, or the virtual port when the server's is 0. As IPVS's
    /// tcp_conn_schedule, the caller schedules TCP only on a SYN (other packets of unknown connections
    /// are not IPVS's to forward).
    /// The table takes over <paramref name="template"/>: it is released when the connection ends, or
    /// at once when the connection is not added.
    /// </summary>
    public ConnectionAddResult TryAdd(in VirtualServiceKey service, IPv4Address client, ushort clientPort,
        RealServer server, long now, out int index, int template = PersistenceTemplateTable.NoTemplate)
    {
        ArgumentNullException.ThrowIfNull(server);
        uint hash = Hash(service.Protocol, client.Value, clientPort);
        index = LookupInbound(hash, service.Protocol, client, clientPort, service.Address, service.Port, 0, now);
        if (index != NotFound)
        {
            ReleaseTemplate(template, now);
            return ConnectionAddResult.Exists;
        }
        if (_count == _capacity && Sweep(now, ReclaimBudget) == 0 && !ReclaimEnded(now))
        {
            ReleaseTemplate(template, now);
            return ConnectionAddResult.Full;
        }

        index = FreeSlotFrom(hash);
        ref ConnectionEntry entry = ref _entries[index];
        entry.HashField = hash;
        entry.ServerField = server;
        entry.ClientValue = client.Value;
        entry.ClientPortField = clientPort;
        entry.VirtualValue = service.Address.Value;
        entry.VirtualPortField = service.Port;
        entry.RealValue = server.Address.Value;
        entry.RealPortField = server.Port != 0 ? server.Port : service.Port;
        entry.ProtocolField = service.Protocol;
        entry.StateField = TcpState.None;
        entry.FlagsField = ConnectionFlags.InUse | ConnectionFlags.Inactive;
        entry.TemplateField = template;
        entry.ExpiresAtField = now + (service.Protocol == Protocol.Tcp
            ? _timeouts.TcpMilliseconds(TcpState.None)
            : _timeouts.UdpMilliseconds);

        _count++;
        server.Counters.ConnectionBound(active: false);
        return ConnectionAddResult.Added;
    }

    /// <summary>
    /// Applies a packet to its connection (IPVS's set_tcp_state / udp_state_transition): TCP moves
    /// through the state table and crosses between the server's active and inactive counts when the
    /// state's activity changes; either protocol's expiry becomes now + the state's timeout.
    /// </summary>
    public void Update(int index, ConnectionDirection direction, byte tcpFlags, long now)
    {
        ref ConnectionEntry entry = ref _entries[index];
        if (entry.ProtocolField != Protocol.Tcp)
        {
            entry.ExpiresAtField = now + _timeouts.UdpMilliseconds;
            return;
        }
        TcpState next = TcpStateMachine.Transition(entry.StateField, direction, tcpFlags);
        if (next != entry.StateField) SetState(ref entry, next);
        entry.ExpiresAtField = now + _timeouts.TcpMilliseconds(next);
    }

    /// <summary>A TCP state change, moving the connection between its server's active and inactive counts when needed.</summary>
    private static void SetState(ref ConnectionEntry entry, TcpState next)
    {
        bool nowActive = next.CountsAsActive();
        if (nowActive == ((entry.FlagsField & ConnectionFlags.Inactive) != 0))
        {
            entry.FlagsField ^= ConnectionFlags.Inactive;
            entry.ServerField!.Counters.ConnectionActivityChanged(nowActive);
        }
        entry.StateField = next;
    }

    /// <summary>
    /// Ends a connection now (ip_vs_conn_expire_now): unbinds it from its server's counters and
    /// releases its persistence template, whose timeout starts at <paramref name="now"/>.
    /// </summary>
    public void Remove(int index, long now)
    {
        ref ConnectionEntry entry = ref _entries[index];
        if (!entry.InUse) ThrowNotInUse(index);
        var server = entry.ServerField!;
        bool active = (entry.FlagsField & ConnectionFlags.Inactive) == 0;
        int template = entry.TemplateField;
        CloseGap(index);
        _count--;
        server.Counters.ConnectionUnbound(active);
        ReleaseTemplate(template, now);
    }

    /// <summary>Appends the live connections for `ipvsadm -L -c`, in slot order; returns how many.</summary>
    public int CopyTo(List<ConnectionInfo> target, long now)
    {
        ArgumentNullException.ThrowIfNull(target);
        int added = 0;
        foreach (ref readonly ConnectionEntry entry in _entries.AsSpan())
        {
            if (!entry.InUse || now >= entry.ExpiresAtField) continue;
            target.Add(new ConnectionInfo(entry.Protocol, entry.StateName, entry.ExpiresAtField - now,
                entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort,
                entry.RealAddress, entry.RealPort, IsTemplate: false));
            added++;
        }
        return added;
    }

    private void ReleaseTemplate(int template, long now)
    {
        if (template != PersistenceTemplateTable.NoTemplate) _templates!.Release(template, now);
    }

    private static void ThrowNotInUse(int index) =>
        throw new InvalidOperationException($"connection slot {index} holds no connection");
}
