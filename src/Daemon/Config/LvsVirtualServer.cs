using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

/// <summary>
/// A <c>virtual NAME { … }</c> block of lvs.cf: one virtual service, its health-check settings for
/// nanny, and its real servers in file order. Defaults follow Piranha's lvsInitVirtualServer
/// (protocol tcp, scheduler wlc, timeout 10 s, reentry 180 s, active 0) except that the port has no
/// default here: it must be written.
/// </summary>
public sealed record LvsVirtualServer
{
    public required string Name { get; init; }

    /// <summary>The line of the <c>virtual NAME {</c> header, for messages.</summary>
    public int Line { get; init; }

    public bool Active { get; init; }

    /// <summary>The VIP and the device it is announced on (<c>address = 192.0.2.10 eth0:1</c>).</summary>
    public required InterfaceAddress Address { get; init; }

    public IPv4Address VipNetmask { get; init; } = new(uint.MaxValue);
    public required ushort Port { get; init; }
    public Protocol Protocol { get; init; } = Protocol.Tcp;
    public string Scheduler { get; init; } = SchedulerNames.Default;

    /// <summary>Persistence timeout in seconds (ipvsadm -p); 0 = not persistent.</summary>
    public uint Persistent { get; init; }

    /// <summary>Persistence granularity (ipvsadm -M); only meaningful with <see cref="Persistent"/>.</summary>
    public IPv4Address PersistenceNetmask { get; init; } = new(uint.MaxValue);

    /// <summary>What nanny sends, raw: escapes such as \r \n \t \\ \" are left for the checker to interpret.</summary>
    public string? Send { get; init; }

    /// <summary>What nanny expects back, raw (escapes uninterpreted); a regex when <see cref="UseRegex"/>.</summary>
    public string? Expect { get; init; }

    public bool UseRegex { get; init; }

    /// <summary>A program run instead of send/expect (%h is the real server's address, as in Piranha).</summary>
    public string? SendProgram { get; init; }

    public LvsLoadMonitor LoadMonitor { get; init; }

    /// <summary>How long a check may take before the real server is declared dead.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a failed real server must pass checks before it is used again.</summary>
    public TimeSpan Reentry { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>
    /// New key <c>check_interval</c>: time between two checks of one real server. Defaults to
    /// <see cref="Timeout"/>, because Piranha's lvs passes timeout to nanny's -t, its poll interval.
    /// </summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>On failure set the weight to 0 instead of removing the server.</summary>
    public bool QuiesceServer { get; init; }

    /// <summary>Where traffic goes when every real server is down (port defaults to the virtual's).</summary>
    public LvsSorryServer? SorryServer { get; init; }

    /// <summary>The real servers in file order (the desired table reverses them; see <see cref="LvsConfig.ToDesiredTable"/>).</summary>
    public IReadOnlyList<LvsRealServer> RealServers { get; init; } = [];

    public VirtualServiceKey Key => new(Protocol, Address.Address, Port);

    public override string ToString() => $"virtual {Name} {Key}";
}

/// <summary>lvs.cf <c>sorry_server = ADDRESS [PORT]</c>.</summary>
public readonly record struct LvsSorryServer(IPv4Address Address, ushort Port)
{
    public override string ToString() => $"{Address}:{Port}";
}
