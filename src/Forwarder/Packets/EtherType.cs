namespace UserLvs.Forwarder.Packets;

/// <summary>
/// The EtherType values the forwarder looks at (IEEE registry, as in linux/if_ether.h). Values below
/// 0x0600 are 802.3 length fields, not types; the forwarder drops them as unsupported.
/// </summary>
public static class EtherType
{
    /// <summary>ETH_P_IP.</summary>
    public const ushort Ipv4 = 0x0800;

    /// <summary>ETH_P_ARP.</summary>
    public const ushort Arp = 0x0806;

    /// <summary>ETH_P_8021Q: a 4-byte VLAN tag follows, then the inner EtherType.</summary>
    public const ushort Vlan = 0x8100;

    /// <summary>ETH_P_8021AD (QinQ service tag): not unwrapped, dropped as unsupported.</summary>
    public const ushort ServiceVlan = 0x88A8;

    /// <summary>ETH_P_IPV6: not forwarded (LVS-NAT here is IPv4 only).</summary>
    public const ushort Ipv6 = 0x86DD;
}
