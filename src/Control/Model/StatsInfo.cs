namespace UserLvs.Control;

/// <summary>
/// Control protocol: IPVS's ip_vs_stats64 for a service or a real server: totals since the last
/// zeroing (-Z) and the current rates (per second, IPVS's estimator), as ipvsadm --stats/--rate show them.
/// </summary>
public sealed record StatsInfo(
    ulong Connections,
    ulong InPackets,
    ulong OutPackets,
    ulong InBytes,
    ulong OutBytes,
    ulong ConnectionRate = 0,
    ulong InPacketRate = 0,
    ulong OutPacketRate = 0,
    ulong InByteRate = 0,
    ulong OutByteRate = 0)
{
    public static StatsInfo Zero { get; } = new(0, 0, 0, 0, 0);
}
