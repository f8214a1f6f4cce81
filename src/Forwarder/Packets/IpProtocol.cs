namespace UserLvs.Forwarder.Packets;

/// <summary>
/// IP protocol numbers the forwarder handles (IANA, as in linux/in.h). They equal the values of
/// <see cref="UserLvs.Scheduling.Protocol"/> for TCP and UDP, so a virtual service key is a cast away.
/// </summary>
public static class IpProtocol
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
}
