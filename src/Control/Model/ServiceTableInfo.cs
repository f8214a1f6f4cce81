namespace UserLvs.Control;

/// <summary>
/// Control protocol: the answer to "list everything": the connection table size ipvsadm prints in
/// its header ("IP Virtual Server version 1.2.1 (size=4096)") and every virtual service, in the
/// daemon's order (ipvsadm sorts them itself unless --nosort).
/// </summary>
public sealed record ServiceTableInfo(
    uint ConnectionTableSize,
    IReadOnlyList<ServiceInfo> Services)
{
    /// <summary>IPVS's default connection hash table size (CONFIG_IP_VS_TAB_BITS = 12).</summary>
    public const uint DefaultConnectionTableSize = 4096;
}
