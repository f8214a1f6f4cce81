using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// One line of `ipvsadm -L -c`: protocol, state name, time left, client ("source"), virtual address and
/// real server ("destination"). A persistence template is listed like IPVS lists it: the client
/// network with port 0, state NONE (TCP) or UDP.
/// </summary>
public readonly record struct ConnectionInfo(
    Protocol Protocol,
    string StateName,
    long RemainingMilliseconds,
    IPv4Address ClientAddress,
    ushort ClientPort,
    IPv4Address VirtualAddress,
    ushort VirtualPort,
    IPv4Address RealAddress,
    ushort RealPort,
    bool IsTemplate);
