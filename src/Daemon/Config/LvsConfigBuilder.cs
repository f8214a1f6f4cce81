using System.Globalization;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

/// <summary>
/// Turns the parsed block tree into an <see cref="LvsConfig"/>, reporting every problem it finds:
///
///   bind     each key of each block: known? in the right block? set once? value well formed?
///   build    each virtual and server, with Piranha's defaults; required keys present
///   check    across blocks: unique virtual names and services, unique servers per virtual, one
///            device per VIP, heartbeat settings coherent (deadtime vs keepalive, key file)
///
/// deadtime <= keepalive is an error when heartbeat = 1: the backup would declare a healthy active
/// router dead between two heartbeats and both would own the VIPs. pulse never checked this; it
/// just flapped. With heartbeat = 0 the values are unused and it is only a warning.
/// Cost: O(keys + servers), with dictionaries for the duplicate checks.
/// </summary>
internal sealed class LvsConfigBuilder(string file, string baseDirectory, List<ConfigError> diagnostics)
{
    private bool _failed;

    private void Error(int line, string reason)
    {
        _failed = true;
        diagnostics.Add(new ConfigError(file, line, reason));
    }

    private void Warn(int line, string reason) => diagnostics.Add(new ConfigError(file, line, reason, IsWarning: true));

    public LvsConfig? Build(LvsBlock root, bool syntaxFailed)
    {
        _failed = syntaxFailed;
        var global = Bind(root, LvsScope.Global);
        var virtuals = BuildVirtualServers(root);
        var config = BuildGlobal(global, virtuals);
        if (virtuals.Count == 0 && !root.Blocks.Exists(b => b.Kind == LvsBlockKind.Virtual)) Warn(0, "no virtual servers are defined");
        return _failed ? null : config;
    }

    // ---- binding -------------------------------------------------------------------------------

    private LvsSettings Bind(LvsBlock block, LvsScope scope)
    {
        var settings = new LvsSettings();
        foreach (var assignment in block.Assignments)
        {
            var key = LvsKeys.Find(scope, assignment.Key);
            if (key is null)
            {
                var home = LvsKeys.HomeScope(assignment.Key);
                Error(assignment.Line, home is null
                    ? $"unknown key '{assignment.Key}'"
                    : $"'{assignment.Key}' is not allowed {Where(scope)} ({Belongs(home.Value)})");
                continue;
            }
            if (settings.FirstLine(assignment.Key) is int first)
            {
                Error(assignment.Line, $"duplicate key '{assignment.Key}' (first set at line {first})");
                continue;
            }
            settings.MarkSeen(assignment.Key, assignment.Line);
            if (!key.Parse(assignment.Key, assignment.Values, out var value, out var error))
            {
                Error(assignment.Line, error!);
                continue;
            }
            settings.Set(assignment.Key, value!);
            if (key.IgnoredBecause is { } why) Warn(assignment.Line, $"'{assignment.Key}' is ignored: {why}");
        }
        return settings;
    }

    private static string Where(LvsScope scope) => scope switch
    {
        LvsScope.Global => "at global level",
        LvsScope.Virtual => "in a virtual block",
        _ => "in a server block",
    };

    private static string Belongs(LvsScope scope) => scope switch
    {
        LvsScope.Global => "it is a global setting",
        LvsScope.Virtual => "it belongs in a virtual block",
        _ => "it belongs in a server block",
    };

    // ---- virtual and real servers --------------------------------------------------------------

    private List<LvsVirtualServer> BuildVirtualServers(LvsBlock root)
    {
        var virtuals = new List<LvsVirtualServer>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var services = new Dictionary<VirtualServiceKey, LvsVirtualServer>();
        var vipDevices = new Dictionary<IPv4Address, LvsVirtualServer>();
        foreach (var block in root.Blocks)
        {
            if (block.Kind == LvsBlockKind.Failover)
            {
                // lvs.cf(5): a file may hold both kinds; with service = lvs Piranha's lvs sets these aside.
                Warn(block.Line, $"failover '{block.Name}' is a service = fos block, which userlvsd does not run; it is ignored");
                continue;
            }
            if (!names.TryAdd(block.Name, block.Line))
                Error(block.Line, $"duplicate virtual '{block.Name}' (first defined at line {names[block.Name]})");
            var virtualServer = BuildVirtual(block);
            if (virtualServer is null) continue;
            if (services.TryGetValue(virtualServer.Key, out var same))
                Error(block.Line, $"virtual '{block.Name}' has the same service ({virtualServer.Key}) as virtual '{same.Name}' (line {same.Line})");
            else
                services.Add(virtualServer.Key, virtualServer);
            if (vipDevices.TryGetValue(virtualServer.Address.Address, out var other))
            {
                if (other.Address.Device != virtualServer.Address.Device)
                    Error(virtualServer.AddressLine(block), $"virtual '{block.Name}' puts {virtualServer.Address.Address} on {virtualServer.Address.Device} " +
                        $"but virtual '{other.Name}' (line {other.Line}) puts it on {other.Address.Device}");
            }
            else
            {
                vipDevices.Add(virtualServer.Address.Address, virtualServer);
            }
            virtuals.Add(virtualServer);
        }
        return virtuals;
    }

    private static readonly TimeSpan DefaultReentry = TimeSpan.FromSeconds(180);

    private LvsVirtualServer? BuildVirtual(LvsBlock block)
    {
        var settings = Bind(block, LvsScope.Virtual);
        string what = block.Describe();
        bool complete = Require(settings, "address", what, block.Line);
        if (!settings.Seen("port"))
            Warn(block.Line, $"{what} has no 'port' line, so it serves port 80 (as in Piranha)");
        ushort port = (ushort)settings.Get("port", 80L);
        var servers = BuildRealServers(block, port);
        if (!complete || servers is null) return null;

        if (!settings.Seen("active"))
            Warn(block.Line, $"{what} has no 'active' line, so it stays inactive (as in Piranha); add 'active = 1' to serve it");
        bool active = settings.Get("active", false);
        uint persistent = (uint)settings.Get("persistent", 0L);
        if (settings.Has("pmask") && persistent == 0)
            Warn(settings.LineOf("pmask"), "'pmask' has no effect without 'persistent'");
        bool useRegex = settings.Get("use_regex", false);
        var expect = settings.Text("expect");
        if (useRegex && expect is not null && !IsRegex(expect, out var regexError))
            Error(settings.LineOf("expect"), $"'expect' is not a valid regular expression (use_regex = 1): {regexError}");
        if (settings.Text("send_program") is { } program) CheckSendProgram(program, settings.LineOf("send_program"));
        if (active && servers.Count > 0 && !servers.Exists(s => s.Active))
            Warn(block.Line, $"{what} is active but none of its servers is");

        var timeout = settings.Get("timeout", TimeSpan.FromSeconds(10));
        var reentry = settings.Get("reentry", DefaultReentry);
        var sorry = settings.Find<LvsSorryServer>("sorry_server");
        if (sorry is { Port: 0 } s) sorry = s with { Port = port };
        return new LvsVirtualServer
        {
            Name = block.Name,
            Line = block.Line,
            Active = active,
            Address = settings.Get<InterfaceAddress>("address", default),
            VipNetmask = settings.Get("vip_nmask", new IPv4Address(uint.MaxValue)),
            Port = port,
            Protocol = settings.Get("protocol", Protocol.Tcp),
            Scheduler = settings.Get("scheduler", SchedulerNames.Default),
            Persistent = persistent,
            PersistenceNetmask = settings.Get("pmask", new IPv4Address(uint.MaxValue)),
            Send = settings.Text("send"),
            Expect = expect,
            UseRegex = useRegex,
            SendProgram = settings.Text("send_program"),
            LoadMonitor = settings.Get("load_monitor", LvsLoadMonitor.None),
            Timeout = timeout,
            Reentry = reentry > TimeSpan.Zero ? reentry : DefaultReentry,   // nanny reads reentry 0 as its default, 180 s
            CheckInterval = settings.Get("check_interval", timeout),
            QuiesceServer = settings.Get("quiesce_server", false),
            SorryServer = sorry,
            RealServers = servers.AsReadOnly(),
        };
    }

    private List<LvsRealServer>? BuildRealServers(LvsBlock virtualBlock, ushort virtualPort)
    {
        var servers = new List<LvsRealServer>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var endpoints = new Dictionary<(IPv4Address, ushort), LvsRealServer>();
        bool complete = true;
        foreach (var block in virtualBlock.Blocks)
        {
            if (!names.TryAdd(block.Name, block.Line))
                Error(block.Line, $"duplicate server '{block.Name}' in virtual '{virtualBlock.Name}' (first defined at line {names[block.Name]})");
            var settings = Bind(block, LvsScope.Server);
            string what = block.Describe();
            if (!Require(settings, "address", what, block.Line)) { complete = false; continue; }
            if (!settings.Seen("active"))
                Warn(block.Line, $"{what} has no 'active' line, so it stays inactive (as in Piranha); add 'active = 1' to use it");
            var server = new LvsRealServer
            {
                Name = block.Name,
                Line = block.Line,
                Address = settings.Get<IPv4Address>("address", default),
                Port = settings.Has("port") ? (ushort)settings.Get("port", 0L) : virtualPort,
                Active = settings.Get("active", false),
                Weight = (int)settings.Get("weight", 1L),
            };
            if (server.Port == 0) { complete = false; continue; }   // the virtual's port is missing or bad: reported there
            if (endpoints.TryGetValue((server.Address, server.Port), out var same))
                Error(block.Line, $"server '{block.Name}' has the same address and port ({server.Address}:{server.Port}) as server '{same.Name}' (line {same.Line})");
            else
                endpoints.Add((server.Address, server.Port), server);
            servers.Add(server);
        }
        return complete ? servers : null;
    }

    /// <summary>Reports a missing key at the block's header; a key present with a bad value was reported already.</summary>
    private bool Require(LvsSettings settings, string key, string what, int line)
    {
        if (settings.Has(key)) return true;
        if (!settings.Seen(key)) Error(line, $"{what} has no '{key}'");
        return false;
    }

    // --check should catch what would make every check fail and take every server out: a line that
    // does not split (an error), a program that is not there yet (a warning: it may be installed later).
    private void CheckSendProgram(string line, int lineNumber)
    {
        IReadOnlyList<string> words;
        try { words = UserLvs.Health.Checks.ProgramCommandLine.Split(line); }
        catch (FormatException e)
        {
            Error(lineNumber, e.Message);
            return;
        }
        if (words.Count == 0) Error(lineNumber, "'send_program' names no program");
        else if (UserLvs.Health.Checks.SendProgramCheck.Resolve(words[0]) is null)
            Warn(lineNumber, $"send_program '{words[0]}' is not found or not executable (yet): every check will fail until it is");
    }

    private static bool IsRegex(string pattern, out string? error)
    {
        try
        {
            _ = UserLvs.Health.Checks.ReplyExpectation.From(pattern, useRegex: true);   // compiled as the check compiles it
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
    }

    // ---- global settings -----------------------------------------------------------------------

    private LvsConfig BuildGlobal(LvsSettings g, List<LvsVirtualServer> virtuals)
    {
        var primary = g.Find<IPv4Address>("primary");
        var backup = g.Find<IPv4Address>("backup") is { } b && b != IPv4Address.Any ? b : (IPv4Address?)null;
        bool heartbeat = g.Get("heartbeat", false);
        bool backupActive = g.Get("backup_active", false);
        var keepAlive = g.Get("keepalive", TimeSpan.FromSeconds(2));
        var deadTime = g.Get("deadtime", TimeSpan.FromSeconds(5));
        int heartbeatLine = g.LineOf("heartbeat");

        if (heartbeat && !g.Seen("primary"))
            Error(heartbeatLine, "heartbeat = 1 needs 'primary', the primary router's public address");
        if (backupActive && backup is null && !(g.Seen("backup") && !g.Has("backup")))
        {
            // pulse clears backup_active when no backup is defined; say so instead of doing it silently.
            Warn(g.LineOf("backup_active"), "backup_active = 1 but no 'backup' router is defined: ignored, as pulse does");
            backupActive = false;
        }
        if (backup is not null && backup == primary)
            Error(g.LineOf("backup"), $"'backup' must differ from 'primary' ({backup})");

        if (g.Has("keepalive") || g.Has("deadtime"))
        {
            int line = g.Has("deadtime") ? g.LineOf("deadtime") : g.LineOf("keepalive");
            if (deadTime <= keepAlive)
            {
                string reason = $"deadtime ({Seconds(deadTime)}) must be longer than keepalive ({Seconds(keepAlive)}): " +
                    "the backup would declare the active router dead between two heartbeats";
                if (heartbeat) Error(line, reason);
                else Warn(line, reason);
            }
            else if (heartbeat && deadTime < keepAlive * 2)
            {
                Warn(line, $"deadtime ({Seconds(deadTime)}) is less than twice keepalive ({Seconds(keepAlive)}): one lost heartbeat causes a failover");
            }
        }

        string? keyFile = null;
        if (g.Text("heartbeat_key_file") is { } keyText)
        {
            keyFile = Path.GetFullPath(keyText, baseDirectory);
            if (heartbeat)
            {
                HeartbeatKeyFile.Check(keyFile, keyText, out var error, out var warning);
                if (error is not null) Error(g.LineOf("heartbeat_key_file"), error);
                if (warning is not null) Warn(g.LineOf("heartbeat_key_file"), warning);
            }
        }
        else if (heartbeat && backup is not null)
        {
            // Unauthenticated heartbeats would let anyone on either network fence the active router.
            Error(heartbeatLine, "heartbeat = 1 with a backup router needs 'heartbeat_key_file': userlvsd authenticates every heartbeat (HMAC-SHA256)");
        }
        else if (heartbeat)
        {
            Warn(heartbeatLine, "heartbeat = 1 without 'heartbeat_key_file': heartbeats are not authenticated");
        }

        var natRouter = g.Find<InterfaceAddress>("nat_router");
        if (natRouter is null && !g.Seen("nat_router") && virtuals.Count > 0)
            Error(g.Seen("network") ? g.LineOf("network") : virtuals[0].Line,
                "network = nat needs 'nat_router', the real servers' gateway address and its device (such as 'nat_router = 10.0.0.1 eth1')");
        if (natRouter is { } router)
            foreach (var v in virtuals)
                if (v.Address.Address == router.Address)
                    Error(v.Line, $"virtual '{v.Name}' uses the nat_router address {router.Address} as its VIP");

        return new LvsConfig
        {
            File = file,
            SerialNumber = g.Get("serial_no", 0L),
            Primary = primary,
            PrimaryPrivate = g.Find<IPv4Address>("primary_private") ?? primary,
            Backup = backup,
            BackupPrivate = g.Find<IPv4Address>("backup_private") is { } bp && bp != IPv4Address.Any ? bp : backup,
            BackupActive = backupActive,
            Heartbeat = heartbeat,
            HeartbeatPort = (ushort)g.Get("heartbeat_port", (long)LvsConfig.DefaultHeartbeatPort),
            KeepAlive = keepAlive,
            DeadTime = deadTime,
            Network = LvsNetwork.Nat,
            NatRouter = natRouter,
            NatNetmask = g.Get("nat_nmask", new IPv4Address(uint.MaxValue)),
            SyncDaemon = g.Get("syncdaemon", false),
            SyncInterface = g.Text("syncd_iface"),
            SyncId = (byte)g.Get("syncd_id", 0L),
            TcpTimeout = (uint)g.Get("tcp_timeout", 0L),
            TcpFinTimeout = (uint)g.Get("tcpfin_timeout", 0L),
            UdpTimeout = (uint)g.Get("udp_timeout", 0L),
            ActiveCommand = g.Text("active_cmd"),
            InactiveCommand = g.Text("inactive_cmd"),
            HardShutdown = g.Get("hard_shutdown", true),
            DebugLevel = g.Get("debug_level", LvsDebugLevel.None),
            HeartbeatKeyFile = keyFile,
            GratuitousArpCount = (int)g.Get("garp_count", (long)LvsConfig.DefaultGratuitousArpCount),
            GratuitousArpInterval = g.Get("garp_interval", LvsConfig.DefaultGratuitousArpInterval),
            FailbackDelay = g.Get("failback_delay", g.Get("syncdaemon", false) ? LvsConfig.DefaultSyncedFailbackDelay : TimeSpan.Zero),
            VirtualServers = virtuals.AsReadOnly(),
        };
    }

    private static string Seconds(TimeSpan time) =>
        time.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture) + "s";
}

file static class VirtualServerLines
{
    /// <summary>The line of a virtual's 'address' key, for messages about its VIP.</summary>
    public static int AddressLine(this LvsVirtualServer virtualServer, LvsBlock block)
    {
        foreach (var assignment in block.Assignments)
            if (assignment.Key == "address") return assignment.Line;
        return virtualServer.Line;
    }
}
