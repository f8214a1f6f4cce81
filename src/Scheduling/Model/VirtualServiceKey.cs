namespace UserLvs.Scheduling;

/// <summary>What identifies a virtual service: protocol, virtual IP address and virtual port.</summary>
public readonly record struct VirtualServiceKey(Protocol Protocol, IPv4Address Address, ushort Port)
{
    public override string ToString() => $"{Protocol.ToIpvsName()} {Address}:{Port}";
}
