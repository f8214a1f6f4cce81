using UserLvs.Scheduling;

namespace UserLvs.Control;

/// <summary>The operations of the control protocol: one per <see cref="IIpvsControl"/> call.</summary>
public enum ControlOperation
{
    AddService, EditService, DeleteService, Clear, Zero,
    AddServer, EditServer, DeleteServer, SetTimeouts,
    GetServices, GetService, GetConnections, GetTimeouts,
    GetStatus,
}

/// <summary>
/// One request from userlvs-adm to userlvsd: the operation and the arguments it needs (the others
/// stay null). <see cref="Version"/> lets a daemon refuse a client it does not understand.
/// </summary>
public sealed record ControlRequest(
    int Version,
    ControlOperation Operation,
    ServiceSettings? Service = null,
    ServiceKey? Key = null,
    ServerSettings? Server = null,
    string? Address = null,
    ushort Port = 0,
    Timeouts? Timeouts = null);

/// <summary>
/// The daemon's answer: the table's result (IPVS's error, or Ok), a protocol-level <see cref="Error"/>
/// when the request itself was refused (malformed, wrong version), and the data a Get asked for.
/// </summary>
public sealed record ControlResponse(
    int Version,
    TableResult Result,
    string? Error = null,
    ServiceTableInfo? Services = null,
    ServiceInfo? Service = null,
    IReadOnlyList<ConnectionInfo>? Connections = null,
    Timeouts? Timeouts = null,
    RouterStatus? Status = null);
