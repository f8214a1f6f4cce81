using System.Numerics;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// Persistence templates shared by every worker: IPVS's connection templates (IP_VS_CONN_F_TEMPLATE)
/// as ip_vs_sched_persist uses them.
///
///   key      = (protocol, client address AND the service's netmask, VIP, vport)
///   lookup   : a live template whose real server is still in the service -> that server, without
///              asking the scheduler (quiesced and overloaded servers keep their persistent clients, as
///              ip_vs_check_template only asks whether the dest is still in the service; set
///              ExpireQuiescentTemplate for sysctl expire_quiescent_template); a template whose server
///              left the service is invalidated and the client is scheduled afresh
///   lifetime : each connection made through the template holds it; the template expires `timeout`
///              seconds after the later of its last use and the end of its last connection (IPVS
///              re-arms the template's timer while connections exist, so it expires within `timeout`
///              after the last one ends; this is that window's upper bound, exact for tests)
///
/// Lock-free: a fixed power-of-two array of slot structs. A key may live in any of the
/// <see cref="Window"/> slots from its home slot (seeded hash); lookups scan the window, filtered by a
/// 32-bit tag array, so deleting never breaks a probe chain and needs no tombstones. Each slot has one
/// 64-bit control word, (version:32, state:32): state -1 is free, -2 being written, otherwise live,
/// held by n connections (bits 0-29) and bit 30 set once invalidated. Every change is a
/// compare-and-swap on that word that bumps the version (a release only decrements n), so a reader
/// that checked a slot's key and then swaps the word knows the slot was not recycled in between;
/// expiry frees a slot only by swapping (v, 0) to (v+1, free), which fails if a connection attached
/// meanwhile. Lookup: at most 16 tag reads and one CAS; insert: one CAS to claim a free slot, refused
/// when all 16 slots of the key's window hold live templates (rare below half full). Two workers that schedule the first connections of one client
/// network at the same instant may each create a template, as two CPUs may in IPVS; later lookups
/// scan the window in a fixed order and so converge on the first.
/// </summary>
public sealed class PersistenceTemplateTable
{
    public const int NoTemplate = -1;

    /// <summary>How many consecutive slots a key may occupy from its home slot.</summary>
    public const int Window = 16;

    private const int Free = -1;
    private const int Writing = -2;
    private const int InvalidBit = 1 << 30;

    private readonly Slot[] _slots;
    private readonly uint[] _tags;
    private readonly int _mask;
    private readonly ConnectionHash _hash;
    private int _count;
    private int _sweepCursor;
    private volatile bool _expireQuiescentTemplate;

    private struct Slot
    {
        public long Control;
        public long ExpiresAt;
        public RealServer? Server;
        public long TimeoutMilliseconds;
        public uint ClientNetwork;
        public uint VirtualAddress;
        public ushort VirtualPort;
        public Protocol Protocol;
    }

    /// <param name="capacity">Slots, a power of two of at least <see cref="Window"/>; keep it at twice the templates expected.</param>
    public PersistenceTemplateTable(int capacity) : this(capacity, ConnectionHash.CreateRandom())
    {
    }

    internal PersistenceTemplateTable(int capacity, ConnectionHash hash)
    {
        if (capacity < Window || capacity > 1 << 28 || !BitOperations.IsPow2(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a power of two from {Window} to {1 << 28}");
        _slots = new Slot[capacity];
        _tags = new uint[capacity];
        _mask = capacity - 1;
        _hash = hash;
        for (int i = 0; i < capacity; i++) _slots[i].Control = Make(0, Free);
    }

    public int Capacity => _slots.Length;

    /// <summary>Templates held, including expired ones not yet swept.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>IPVS's sysctl expire_quiescent_template: a template to a server of weight 0 is dropped and its client rescheduled.</summary>
    public bool ExpireQuiescentTemplate
    {
        get => _expireQuiescentTemplate;
        set => _expireQuiescentTemplate = value;
    }

    /// <summary>
    /// The server a persistent service's template gives this client, taking a hold on the template for
    /// the new connection (released with <see cref="Release"/>, or by the connection table that takes
    /// it); null when the service is not persistent or there is no usable template.
    /// The server returned is the service snapshot's current object for the template's server.
    /// </summary>
    public RealServer? Find(VirtualService service, IPv4Address client, long now, out int template)
    {
        ArgumentNullException.ThrowIfNull(service);
        template = NoTemplate;
        var persistence = service.Persistence;
        if (!persistence.IsEnabled) return null;
        var key = service.Key;
        uint network = client.Value & persistence.Netmask.Value;
        var (tag, home) = Locate(key, network);
        for (int k = 0; k < Window; k++)
        {
            int i = (home + k) & _mask;
            if (Volatile.Read(ref _tags[i]) != tag) continue;
            var server = TryAttach(i, service, key, network, now);
            if (server is not null)
            {
                template = i;
                return server;
            }
        }
        return null;
    }

    /// <summary>
    /// Creates the template that sends this client's network to <paramref name="server"/> (the
    /// scheduler's pick), held by the new connection; if another worker created one meanwhile, holds
    /// and returns that one's server instead. Null when the key's window is full of live templates:
    /// IPVS drops the packet when it cannot allocate a template, and so should the caller.
    /// </summary>
    public RealServer? GetOrAdd(VirtualService service, IPv4Address client, RealServer server, long now, out int template)
    {
        ArgumentNullException.ThrowIfNull(server);
        var existing = Find(service, client, now, out template);
        if (existing is not null) return existing;
        var persistence = service.Persistence;
        if (!persistence.IsEnabled) return null;
        uint network = client.Value & persistence.Netmask.Value;
        template = Claim(service.Key, network, server, now, now + persistence.TimeoutSeconds * 1000L, holds: 1);
        return template == NoTemplate ? null : server;
    }

    /// <summary>
    /// A template the active router reported (connection sync): the client network of
    /// <paramref name="client"/> goes to <paramref name="server"/> until at least
    /// <paramref name="expiresAt"/>. An existing template for that network and server is kept and its
    /// expiry raised; one that points at another server is invalidated (as a template whose server
    /// left the service) so that lookups meet the reported one. The new template is held by no
    /// connection: synced connections do not hold templates, and it expires on its own unless later
    /// records or, after a takeover, new connections refresh it. Safe beside running workers.
    /// </summary>
    public TemplateImportResult Import(VirtualService service, IPv4Address client, RealServer server, long expiresAt, long now)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        var persistence = service.Persistence;
        if (!persistence.IsEnabled) return TemplateImportResult.NotPersistent;
        var key = service.Key;
        uint network = client.Value & persistence.Netmask.Value;
        var (tag, home) = Locate(key, network);
        for (int k = 0; k < Window; k++)
        {
            int i = (home + k) & _mask;
            if (Volatile.Read(ref _tags[i]) != tag) continue;
            ref Slot slot = ref _slots[i];
            while (true)
            {
                long control = Volatile.Read(ref slot.Control);
                int state = State(control);
                if (state < 0 || (state & InvalidBit) != 0 || slot.ClientNetwork != network ||
                    slot.VirtualAddress != key.Address.Value || slot.VirtualPort != key.Port || slot.Protocol != key.Protocol)
                    break;
                if (Held(control) == 0 && now >= Volatile.Read(ref slot.ExpiresAt)) break;   // expiring: Claim recycles it
                var held = slot.Server!;
                bool same = held.Address == server.Address && held.Port == server.Port;
                // Bump the version either way, so the key and server read above are known to be this template's.
                long next = Make(Version(control) + 1, same ? state : state | InvalidBit);
                if (Interlocked.CompareExchange(ref slot.Control, next, control) != control) continue;
                if (!same) break;
                RaiseExpiry(ref slot, expiresAt);
                return TemplateImportResult.Refreshed;
            }
        }
        return Claim(key, network, server, now, expiresAt, holds: 0) == NoTemplate
            ? TemplateImportResult.Full
            : TemplateImportResult.Added;
    }

    /// <summary>Takes a free (or expired and unheld) slot in the key's window for a new template; <see cref="NoTemplate"/> when all are live.</summary>
    private int Claim(VirtualServiceKey key, uint network, RealServer server, long now, long expiresAt, int holds)
    {
        var (tag, home) = Locate(key, network);
        for (int k = 0; k < Window; k++)
        {
            int i = (home + k) & _mask;
            ref Slot slot = ref _slots[i];
            long control = Volatile.Read(ref slot.Control);
            if (IsUnheld(control) && now >= Volatile.Read(ref slot.ExpiresAt))
            {
                TryFree(ref slot, control);
                control = Volatile.Read(ref slot.Control);
            }
            if (State(control) != Free) continue;
            long writing = Make(Version(control) + 1, Writing);
            if (Interlocked.CompareExchange(ref slot.Control, writing, control) != control) continue;

            slot.Server = server;
            slot.ClientNetwork = network;
            slot.VirtualAddress = key.Address.Value;
            slot.VirtualPort = key.Port;
            slot.Protocol = key.Protocol;
            slot.TimeoutMilliseconds = expiresAt - now;
            slot.ExpiresAt = expiresAt;
            Volatile.Write(ref _tags[i], tag);
            Interlocked.Increment(ref _count);
            server.Counters.TemplateBound();
            Volatile.Write(ref slot.Control, Make(Version(writing) + 1, holds));
            return i;
        }
        return NoTemplate;
    }

    /// <summary>
    /// A connection that held the template ended at <paramref name="now"/>: the template lives at
    /// least `timeout` from now, and may expire once no connection holds it.
    /// </summary>
    public void Release(int template, long now)
    {
        ref Slot slot = ref _slots[template];
        long control = Volatile.Read(ref slot.Control);
        if (State(control) < 0 || Held(control) == 0) ThrowNotHeld(template);
        RaiseExpiry(ref slot, now + slot.TimeoutMilliseconds);
        // The expiry is written before the hold is dropped, so whoever sees the count reach 0 sees it.
        Interlocked.Decrement(ref slot.Control);
    }

    /// <summary>
    /// Examines the next <paramref name="maxSlots"/> slots and frees the templates that no connection
    /// holds and that have expired by <paramref name="now"/>; returns how many. Any worker may call it;
    /// concurrent sweeps take disjoint ranges.
    /// </summary>
    public int Sweep(long now, int maxSlots)
    {
        int slots = Math.Min(maxSlots, _slots.Length);
        int start = Interlocked.Add(ref _sweepCursor, slots) - slots;
        int freed = 0;
        for (int k = 0; k < slots; k++)
        {
            ref Slot slot = ref _slots[(start + k) & _mask];
            long control = Volatile.Read(ref slot.Control);
            if (IsUnheld(control) && now >= Volatile.Read(ref slot.ExpiresAt) && TryFree(ref slot, control))
                freed++;
        }
        return freed;
    }

    /// <summary>Appends the live templates for `ipvsadm -L -c`; returns how many.</summary>
    public int CopyTo(List<ConnectionInfo> target, long now)
    {
        ArgumentNullException.ThrowIfNull(target);
        int added = 0;
        for (int i = 0; i < _slots.Length; i++)
        {
            ref Slot slot = ref _slots[i];
            long control = Volatile.Read(ref slot.Control);
            if (State(control) < 0) continue;
            var info = ReadInfo(ref slot, Held(control), now);
            // A slot recycled while it was read is skipped: it was not one consistent template.
            if (Volatile.Read(ref slot.Control) != control || info is null) continue;
            target.Add(info.Value);
            added++;
        }
        return added;
    }

    private RealServer? TryAttach(int i, VirtualService service, VirtualServiceKey key, uint network, long now)
    {
        ref Slot slot = ref _slots[i];
        while (true)
        {
            long control = Volatile.Read(ref slot.Control);
            int state = State(control);
            if (state < 0 || (state & InvalidBit) != 0 || slot.ClientNetwork != network ||
                slot.VirtualAddress != key.Address.Value || slot.VirtualPort != key.Port || slot.Protocol != key.Protocol)
                return null;
            if (state == 0 && now >= Volatile.Read(ref slot.ExpiresAt))
            {
                TryFree(ref slot, control);
                return null;
            }
            var current = FindInService(service, slot.Server!);
            if (current is null || (_expireQuiescentTemplate && current.Weight == 0))
            {
                // ip_vs_check_template: the dest is gone; hide the template from lookups (IPVS rehashes
                // it with vport 0xffff) and let its connections finish and its timer run out.
                if (Interlocked.CompareExchange(ref slot.Control, Make(Version(control) + 1, state | InvalidBit), control) != control)
                    continue;
                return null;
            }
            if (Interlocked.CompareExchange(ref slot.Control, Make(Version(control) + 1, state + 1), control) != control)
                continue;   // the slot changed after its key was read: read it again
            RaiseExpiry(ref slot, now + slot.TimeoutMilliseconds);
            return current;
        }
    }

    // The dest is "available" while the service's current snapshot still has a server at its
    // address and port; O(servers), once per new persistent connection, never per packet.
    private static RealServer? FindInService(VirtualService service, RealServer server)
    {
        var servers = service.RealServers;
        for (int i = 0; i < servers.Count; i++)
        {
            var candidate = servers[i];
            if (candidate.Address == server.Address && candidate.Port == server.Port) return candidate;
        }
        return null;
    }

    private bool TryFree(ref Slot slot, long control)
    {
        var server = slot.Server;   // read before the swap: afterwards the slot may be reclaimed
        if (Interlocked.CompareExchange(ref slot.Control, Make(Version(control) + 1, Free), control) != control)
            return false;
        Interlocked.Decrement(ref _count);
        server?.Counters.TemplateUnbound();
        return true;
    }

    private static void RaiseExpiry(ref Slot slot, long expiresAt)
    {
        long current = Volatile.Read(ref slot.ExpiresAt);
        while (current < expiresAt)
        {
            long seen = Interlocked.CompareExchange(ref slot.ExpiresAt, expiresAt, current);
            if (seen == current) return;
            current = seen;
        }
    }

    private static ConnectionInfo? ReadInfo(ref Slot slot, int held, long now)
    {
        var server = slot.Server;
        if (server is null) return null;
        long remaining = slot.ExpiresAt - now;
        if (held == 0 && remaining <= 0) return null;
        long timeout = slot.TimeoutMilliseconds;
        // While connections hold it, IPVS's template timer keeps re-arming for `timeout`: show where
        // that timer would stand.
        if (remaining <= 0) remaining = timeout <= 0 ? 0 : timeout - (-remaining % timeout);
        return new ConnectionInfo(slot.Protocol,
            slot.Protocol == Protocol.Udp ? TcpStates.UdpStateName : TcpState.None.ToIpvsName(),
            remaining, new IPv4Address(slot.ClientNetwork), 0, new IPv4Address(slot.VirtualAddress), slot.VirtualPort,
            server.Address, server.Port != 0 ? server.Port : slot.VirtualPort, IsTemplate: true);
    }

    /// <summary>A template key's tag (the hash's high half, kept per slot) and home slot (its low bits).</summary>
    private (uint Tag, int Home) Locate(VirtualServiceKey key, uint network)
    {
        ulong hash = _hash.Hash(((ulong)network << 32) | key.Address.Value, ((ulong)key.Protocol << 16) | key.Port);
        return ((uint)(hash >> 32), (int)hash & _mask);
    }

    private static long Make(uint version, int state) => ((long)version << 32) | (uint)state;
    private static uint Version(long control) => (uint)((ulong)control >> 32);
    private static int State(long control) => (int)control;
    private static int Held(long control) => (int)control & (InvalidBit - 1);

    /// <summary>Live (valid or invalidated) and held by no connection: may expire.</summary>
    private static bool IsUnheld(long control) => State(control) >= 0 && Held(control) == 0;

    private static void ThrowNotHeld(int template) =>
        throw new InvalidOperationException($"template slot {template} is not held by any connection");
}
