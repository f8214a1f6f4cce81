using System.Numerics;

namespace UserLvs.Scheduling;

/// <summary>
/// Maglev Hashing scheduling, IPVS's "mh" (ip_vs_mh.c; Maglev, NSDI 2016, section 3.4).
///
///   M = 4093: the prime primes[CONFIG_IP_VS_MH_TAB_INDEX - 8] with the default index 12
///   per server s (address a, port p), with hsiphash keyed as generate_hash_secret() does, by constants
///   (K1 = {2654435761, 2654435761}, K2 = {2654446892, 2654446892}), not a random boot-time key, so the
///   table equals a 64-bit little-endian kernel's (see HsipHash):
///     offset(s) = hsiphash(a + p, K1) mod M,  skip(s) = hsiphash(a + p, K2) mod (M - 1) + 1
///     its preference list is offset, offset + skip, offset + 2*skip, ... (mod M), every slot once
///   weights: w(s) = last_weight(s), the latest non-zero weight (0 only for a server added at 0);
///     g = gcd of the w > 0, shift = max(0, bit length of max(w) / g - 6)
///     turns(s) = (w / g) >> shift, or 1 if that is 0 but w is not; turns 0 = no slots at all
///   populate: walk the list round and round; each server in turn claims its next free preferred slot,
///     turns(s) times in a row, until all M slots are taken (ip_vs_mh_populate)
///   pick: home = hsiphash(client address + (client port if mh-port, else 0), K1) mod M;
///     slot[home] if that server is available (weight > 0, not overloaded); else with mh-fallback the
///     first available server of slot[hsiphash(address + port + (home + i) mod M, K1) mod M] for
///     i = 0 .. M-1 (ip_vs_mh_get_fallback); else none.
///
/// Flags: flag-1 = mh-fallback, flag-2 = mh-port. Because a quiesced server keeps its last weight,
/// it keeps its slots: its clients get no server (or their fallback) and nobody else moves, and they
/// come back to it when it is re-weighted. last_weight is carried over from the previous mh scheduler
/// of the same service; a server that is at weight 0 when this scheduler is first built for the
/// service (added at 0, a restart, a switch from another scheduler) has none and takes no slots.
/// IPVS refuses more than M servers (-EINVAL); so does this constructor.
/// Cost: a table change is O(M log M) expected (the Maglev fill) plus O(n); a pick is one hsiphash
/// and one array index, O(1), no allocation; a fallback pick hashes at most M times.
/// </summary>
public sealed class MaglevHashingScheduler : IScheduler
{
    /// <summary>The kernel's table sizes: primes just below powers of two.</summary>
    internal static ReadOnlySpan<int> Primes => [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];

    /// <summary>CONFIG_IP_VS_MH_TAB_INDEX's default.</summary>
    internal const int ConfigTableIndex = 12;

    /// <summary>IP_VS_MH_TAB_BITS: how many bits of weight ratio the table honours before shifting.</summary>
    internal const int TableBits = ConfigTableIndex / 2;

    /// <summary>IP_VS_MH_TAB_SIZE = primes[IP_VS_MH_TAB_INDEX], IP_VS_MH_TAB_INDEX = 12 - 8 = 4.</summary>
    internal const int TableSize = 4093;

    // generate_hash_secret: the kernel's keys are constants, the same on every boot.
    internal const ulong OffsetKey = 2654435761UL;
    internal const ulong SkipKey = 2654446892UL;

    private readonly RealServer?[] _lookup = new RealServer?[TableSize];
    private readonly RealServer[] _servers;
    private readonly int[] _lastWeights;
    private readonly bool _fallback;
    private readonly bool _hashPort;

    public MaglevHashingScheduler(SchedulerContext context)
    {
        if (context.Servers.Count > TableSize)
            throw new ArgumentException($"mh takes at most {TableSize} real servers per service", nameof(context));
        _fallback = (context.Flags & SchedulerFlags.Flag1) != 0;
        _hashPort = (context.Flags & SchedulerFlags.Flag2) != 0;
        _servers = [.. context.Servers];
        _lastWeights = LastWeights(_servers, context.Previous as MaglevHashingScheduler);
        Populate();
    }

    public string Name => SchedulerNames.MaglevHashing;

    /// <summary>ip_vs_mh_hashkey: hsiphash of offset + port + address (host order, 32-bit wrapping sum).</summary>
    internal static uint HashKey(IPv4Address address, ushort port, ulong key, uint offset = 0) =>
        HsipHash.Hash(unchecked(offset + port + address.Value), key, key);

    internal static uint Offset(RealServer server) => HashKey(server.Address, server.Port, OffsetKey) % TableSize;

    internal static uint Skip(RealServer server) => HashKey(server.Address, server.Port, SkipKey) % (TableSize - 1) + 1;

    /// <summary>The table as built, for tests: slot i's server.</summary>
    internal ReadOnlySpan<RealServer?> Lookup => _lookup;

    /// <summary>The weight the table was built with for the server at list position i (IPVS's last_weight).</summary>
    internal int LastWeight(int index) => _lastWeights[index];

    public RealServer? Pick(in SchedulingRequest request)
    {
        ushort port = _hashPort ? request.ClientPort : (ushort)0;
        uint home = HashKey(request.ClientAddress, port, OffsetKey) % TableSize;
        var server = _lookup[home];
        if (server is null) return null;
        if (server.IsAvailable) return server;
        return _fallback ? Fallback(request.ClientAddress, port, home) : null;
    }

    // ip_vs_mh_get_fallback: a deterministic walk, so the substitute is stable while the server is down.
    private RealServer? Fallback(IPv4Address address, ushort port, uint home)
    {
        for (uint offset = 0; offset < TableSize; offset++)
        {
            uint rotated = (offset + home) % TableSize;
            var server = _lookup[HashKey(address, port, OffsetKey, rotated) % TableSize];
            if (server is null) return null;
            if (server.IsAvailable) return server;
        }
        return null;
    }

    // __ip_vs_update_dest keeps last_weight "with latest non-0 weight": an edit to 0 keeps the old
    // value, an add sets it to whatever the weight is (0 included).
    private static int[] LastWeights(RealServer[] servers, MaglevHashingScheduler? previous)
    {
        var last = new int[servers.Length];
        Dictionary<(IPv4Address, ushort), int>? before = null;
        if (previous is not null)
        {
            before = new Dictionary<(IPv4Address, ushort), int>(previous._servers.Length);
            for (int i = 0; i < previous._servers.Length; i++)
                before[(previous._servers[i].Address, previous._servers[i].Port)] = previous._lastWeights[i];
        }
        for (int i = 0; i < servers.Length; i++)
        {
            int weight = servers[i].Weight;
            last[i] = weight != 0 || before is null ? weight : before.GetValueOrDefault((servers[i].Address, servers[i].Port));
        }
        return last;
    }

    // ip_vs_mh_gcd_weight, ip_vs_mh_shift_weight, ip_vs_mh_permutate and ip_vs_mh_populate.
    private void Populate()
    {
        int gcd = 0, max = 0;
        foreach (int weight in _lastWeights)
        {
            if (weight > 0) gcd = gcd > 0 ? Gcd(weight, gcd) : weight;
            if (weight > max) max = weight;
        }
        // No server with a weight: the table stays empty and every pick finds none.
        if (gcd < 1) return;
        int shift = Math.Max(0, BitLength(max / gcd) - TableBits);

        int count = _servers.Length;
        var next = new int[count];   // the slot each server tries next (perm)
        var skip = new int[count];
        var turns = new int[count];
        for (int i = 0; i < count; i++)
        {
            next[i] = (int)Offset(_servers[i]);
            skip[i] = (int)Skip(_servers[i]);
            int w = _lastWeights[i];
            int t = (w / gcd) >> shift;
            turns[i] = t != 0 ? t : (w != 0 ? 1 : 0);
        }

        var taken = new bool[TableSize];
        int filled = 0, streak = 0;
        while (true)
        {
            for (int i = 0; i < count;)
            {
                if (turns[i] < 1) { i++; continue; }
                int slot = next[i];
                while (taken[slot])
                {
                    slot += skip[i];
                    if (slot >= TableSize) slot -= TableSize;
                }
                next[i] = slot;
                taken[slot] = true;
                _lookup[slot] = _servers[i];
                if (++filled == TableSize) return;
                // A server claims turns(s) slots in a row before the next one gets its go.
                if (++streak >= turns[i])
                {
                    streak = 0;
                    i++;
                }
            }
        }
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    // The kernel's fls(): 1-based index of the highest set bit, 0 for 0.
    private static int BitLength(int value) => value <= 0 ? 0 : BitOperations.Log2((uint)value) + 1;
}
