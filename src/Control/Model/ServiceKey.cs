using UserLvs.Scheduling;

namespace UserLvs.Control;

/// <summary>
/// Control protocol: which virtual service a command names (ipvsadm -t/-u host:port). The address is
/// a dotted quad, as IPVS prints it; UserLvs serves IPv4 TCP and UDP services only.
/// </summary>
public sealed record ServiceKey(Protocol Protocol, string Address, ushort Port);
