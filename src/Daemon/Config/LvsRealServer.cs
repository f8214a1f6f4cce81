using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

/// <summary>
/// A <c>server NAME { … }</c> block of lvs.cf. Piranha's defaults: port = the virtual's port,
/// weight = 1, active = 0 (a server without <c>active = 1</c> is never used).
/// </summary>
public sealed record LvsRealServer
{
    public required string Name { get; init; }

    /// <summary>The line of the <c>server NAME {</c> header, for messages.</summary>
    public int Line { get; init; }

    public required IPv4Address Address { get; init; }
    public required ushort Port { get; init; }
    public bool Active { get; init; }

    /// <summary>IPVS weight 0..65535; 0 starts the server quiesced.</summary>
    public int Weight { get; init; } = 1;

    public override string ToString() => $"server {Name} {Address}:{Port}";
}
