namespace UserLvs.Scheduling;

/// <summary>
/// Destination Hashing scheduling, IPVS's "dh" (ip_vs_dh.c).
///
///   table of 256 buckets (IP_VS_DH_TAB_BITS = 8), filled by walking the server list round and round:
///     bucket i = server[i mod n]                  weights play no part in the fill
///   pick = bucket[hash_32(destination address, 8)]
///          none if that server is quiesced (weight 0) or overloaded: dh has no fallback
///
/// dh exists for cache clusters behind a firewall-mark service, where the destination is the origin
/// server the client asked for, so one origin's traffic always reaches the same cache. On a plain
/// VIP:port service every connection has the same destination and therefore goes to one server.
/// The table is built when the servers change, O(256); a pick is one multiply and one array index,
/// O(1), no allocation. IPVS refills the table by position (it has no add/del hooks beyond a full
/// reassign), so adding or removing a server moves most destinations, not just 1/n of them.
/// </summary>
public sealed class DestinationHashingScheduler : IScheduler
{
    internal const int TableBits = 8;
    internal const int TableSize = 1 << TableBits;

    private readonly RealServer?[] _buckets = new RealServer?[TableSize];

    public DestinationHashingScheduler(SchedulerContext context)
    {
        var servers = context.Servers;
        // ip_vs_dh_reassign: an empty list leaves every bucket empty; otherwise the list is cycled.
        if (servers.Count == 0) return;
        for (int i = 0; i < TableSize; i++) _buckets[i] = servers[i % servers.Count];
    }

    public string Name => SchedulerNames.DestinationHashing;

    /// <summary>The bucket of a destination: ip_vs_dh_hashkey, hash_32 of the host-order address.</summary>
    internal static int Bucket(IPv4Address destination) => (int)GoldenRatioHash.Hash32(destination.Value, TableBits);

    /// <summary>The table as built, for tests: bucket i's server.</summary>
    internal ReadOnlySpan<RealServer?> Buckets => _buckets;

    public RealServer? Pick(in SchedulingRequest request)
    {
        var server = _buckets[Bucket(request.VirtualAddress)];
        return server is not null && server.IsAvailable ? server : null;
    }
}
