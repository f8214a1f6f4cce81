using UserLvs.Scheduling;

namespace UserLvs.Control;

/// <summary>
/// Control protocol: one line of `ipvsadm -L -c` (a line of IPVS's /proc/net/ip_vs_conn): protocol,
/// client ("source"), virtual address, real server ("destination"), state name as IPVS spells it
/// (ESTABLISHED, SYN_RECV, FIN_WAIT, NONE for a TCP template, UDP ...) and whole seconds left before
/// it expires (IPVS truncates: (expires - jiffies) / HZ).
/// </summary>
public sealed record ConnectionInfo(
    Protocol Protocol,
    string ClientAddress,
    ushort ClientPort,
    string VirtualAddress,
    ushort VirtualPort,
    string DestinationAddress,
    ushort DestinationPort,
    string State,
    uint ExpiresSeconds);
