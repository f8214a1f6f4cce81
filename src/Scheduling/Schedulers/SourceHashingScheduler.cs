namespace UserLvs.Scheduling;

/// <summary>
/// Source Hashing scheduling, IPVS's "sh" (ip_vs_sh.c).
///
///   table of 256 buckets (IP_VS_SH_TAB_BITS = 8), filled as ip_vs_sh_reassign does: walk the server
///   list round and round, giving each server max(weight, 1) consecutive buckets per round (a server
///   of weight 0 still takes one bucket a round, whose clients then find no server)
///   key  = client address + (client port if sh-port, else 0), as 32-bit unsigned arithmetic wraps
///   home = hash_32(key, 8)
///   pick = bucket[home] if that server is available (weight > 0 and not overloaded)
///   else, with sh-fallback: probe bucket (2*home + offset) mod 256 for offset = 0, 1, ..., 255 and
///        take the first available server (ip_vs_sh_get_fallback adds home once into its rotated
///        offset and once more in the hash, so the probe starts at 2*home); an empty bucket ends it
///   else none.
///
/// Flags: flag-1 = sh-fallback (IP_VS_SVC_F_SCHED_SH_FALLBACK), flag-2 = sh-port (IP_VS_SVC_F_SCHED_SH_PORT).
/// The table is built when the servers change, O(256); a pick is one multiply and one array index,
/// O(1), no allocation; a fallback pick probes at most 256 buckets. Because the table is refilled by
/// position, adding or removing a server moves most clients, not just 1/n of them (use mh for that).
/// </summary>
public sealed class SourceHashingScheduler : IScheduler
{
    internal const int TableBits = 8;
    internal const int TableSize = 1 << TableBits;
    private const uint TableMask = TableSize - 1;

    private readonly RealServer?[] _buckets = new RealServer?[TableSize];
    private readonly bool _fallback;
    private readonly bool _hashPort;

    public SourceHashingScheduler(SchedulerContext context)
    {
        _fallback = (context.Flags & SchedulerFlags.Flag1) != 0;
        _hashPort = (context.Flags & SchedulerFlags.Flag2) != 0;

        var servers = context.Servers;
        if (servers.Count == 0) return;
        int server = 0, filled = 0;
        for (int i = 0; i < TableSize; i++)
        {
            _buckets[i] = servers[server];
            // "Don't move to next dest until filling weight": ++count >= weight, so weight 0 fills one.
            if (++filled >= servers[server].Weight)
            {
                server = (server + 1) % servers.Count;
                filled = 0;
            }
        }
    }

    public string Name => SchedulerNames.SourceHashing;

    /// <summary>
    /// ip_vs_sh_hashkey: (offset + hash_32(port + address, 8)) mod 256, with the port and address in
    /// host order (ntohs, ntohl) and their sum wrapping as the kernel's unsigned int does.
    /// </summary>
    internal static uint Bucket(IPv4Address address, ushort port, uint offset = 0) =>
        (offset + GoldenRatioHash.Hash32(unchecked(port + address.Value), TableBits)) & TableMask;

    /// <summary>The table as built, for tests: bucket i's server.</summary>
    internal ReadOnlySpan<RealServer?> Buckets => _buckets;

    public RealServer? Pick(in SchedulingRequest request)
    {
        ushort port = _hashPort ? request.ClientPort : (ushort)0;
        uint home = Bucket(request.ClientAddress, port);
        var server = _buckets[home];
        if (server is null) return null;
        if (server.IsAvailable) return server;
        return _fallback ? Fallback(request.ClientAddress, port, home) : null;
    }

    // ip_vs_sh_get_fallback: the probe order depends only on the key, so a client whose server is
    // down keeps going to the same substitute.
    private RealServer? Fallback(IPv4Address address, ushort port, uint home)
    {
        for (uint offset = 0; offset < TableSize; offset++)
        {
            uint rotated = (offset + home) & TableMask;
            var server = _buckets[Bucket(address, port, rotated)];
            if (server is null) return null;
            if (server.IsAvailable) return server;
        }
        return null;
    }
}
