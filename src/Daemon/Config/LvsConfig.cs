using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

/// <summary>
/// A loaded, validated lvs.cf: Piranha's global settings and its virtual servers, immutable. Built
/// only by <see cref="ConfigLoader"/>; an lvs.cf with any error yields no <see cref="LvsConfig"/> at
/// all, so a reload either applies a whole new file or nothing. Defaults follow Piranha's
/// lvsParseConfig: heartbeat 0, heartbeat_port 539, keepalive 2 s, deadtime 5 s, network nat,
/// hard_shutdown 1, debug_level NONE; primary_private/backup_private default to primary/backup.
/// </summary>
public sealed partial record LvsConfig
{
    public const ushort DefaultHeartbeatPort = 539;

    /// <summary>The file it was read from, as given to the loader.</summary>
    public required string File { get; init; }

    public long SerialNumber { get; init; }
    public IPv4Address? Primary { get; init; }
    public IPv4Address? PrimaryPrivate { get; init; }

    /// <summary>The backup router; absent or 0.0.0.0 in the file means none.</summary>
    public IPv4Address? Backup { get; init; }

    public IPv4Address? BackupPrivate { get; init; }
    public bool BackupActive { get; init; }
    public bool Heartbeat { get; init; }
    public ushort HeartbeatPort { get; init; } = DefaultHeartbeatPort;

    /// <summary>Time between heartbeats; lvs.cf accepts fractions (keepalive = 0.01).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Silence after which the backup declares the active router dead; fractions accepted.</summary>
    public TimeSpan DeadTime { get; init; } = TimeSpan.FromSeconds(5);

    public LvsNetwork Network { get; init; } = LvsNetwork.Nat;

    /// <summary>The real servers' gateway address and its (private) device (<c>nat_router = 10.0.0.1 eth1:1</c>).</summary>
    public InterfaceAddress? NatRouter { get; init; }

    public IPv4Address NatNetmask { get; init; } = new(uint.MaxValue);
    public bool SyncDaemon { get; init; }

    /// <summary>Piranha's syncd_iface: the device connection sync runs on (null = the private device).</summary>
    public string? SyncInterface { get; init; }

    /// <summary>Piranha's syncd_id (ipvsadm --syncid), 0..255.</summary>
    public byte SyncId { get; init; }

    /// <summary>ipvsadm --set values in seconds; 0 leaves IPVS's default.</summary>
    public uint TcpTimeout { get; init; }
    public uint TcpFinTimeout { get; init; }
    public uint UdpTimeout { get; init; }

    /// <summary>Commands run when this router becomes active / stops being active.</summary>
    public string? ActiveCommand { get; init; }
    public string? InactiveCommand { get; init; }

    public bool HardShutdown { get; init; } = true;
    public LvsDebugLevel DebugLevel { get; init; }

    /// <summary>
    /// New key <c>heartbeat_key_file</c>: a secret that authenticates heartbeats, as a full path
    /// (relative paths are taken from the config file's directory). Checked to be readable and
    /// non-empty when heartbeat = 1; read by the failover module.
    /// </summary>
    public string? HeartbeatKeyFile { get; init; }

    public const int DefaultGratuitousArpCount = 5;
    public static readonly TimeSpan DefaultGratuitousArpInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// New key <c>garp_count</c>: how many rounds of gratuitous ARP a router sends for every floating
    /// address when it becomes active (keepalived's vrrp_garp_master_repeat, default 5 as there).
    /// </summary>
    public int GratuitousArpCount { get; init; } = DefaultGratuitousArpCount;

    /// <summary>New key <c>garp_interval</c>: the pause between two rounds (default 0.05 s).</summary>
    public TimeSpan GratuitousArpInterval { get; init; } = DefaultGratuitousArpInterval;

    public static readonly TimeSpan DefaultSyncedFailbackDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// New key <c>failback_delay</c>: how long a returning primary stays backup before it takes the
    /// active role back (keepalived's preempt_delay). With syncdaemon = 1 the default is 1 s, time for
    /// the active backup to send it the whole connection table, so established connections survive the
    /// failback; without sync it is 0.
    /// </summary>
    public TimeSpan FailbackDelay { get; init; }

    /// <summary>
    /// True when this config runs pulse: heartbeat = 1, a backup router is named and it takes part
    /// (backup_active = 1; with 0 the primary runs alone and the backup must not run). Then the VIPs
    /// and the NAT router address float: only the active router answers ARP for them, in userspace,
    /// and the kernel holds neither (a router killed with -9 stops answering at once).
    /// </summary>
    public bool HasRouterPair => Heartbeat && Backup is not null && Primary is not null && BackupActive;

    /// <summary>Every virtual server in file order, active or not.</summary>
    public IReadOnlyList<LvsVirtualServer> VirtualServers { get; init; } = [];
}
