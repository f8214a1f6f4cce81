using Microsoft.Extensions.Logging;
using UserLvs.Control;
using UserLvs.Daemon.Config;
using UserLvs.Daemon.Health;
using UserLvs.Daemon.Hosting;
using UserLvs.Daemon.Kernel;
using UserLvs.Daemon.Metrics;
using UserLvs.Failover;
using UserLvs.Failover.Commands;
using UserLvs.Failover.Protocol;
using UserLvs.Failover.Transport;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Sync;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Failover;

/// <summary>
/// pulse in userlvsd: the heartbeat state machine (<see cref="PulseService"/>) wired to this router's
/// data plane. Runs only when lvs.cf names a router pair (heartbeat = 1 and a backup).
///
///   become active    take the floating addresses (the workers forward and answer ARP for the VIPs
///                    and the NAT router address from the next batch on), announce them with
///                    gratuitous ARP (garp_count rounds, garp_interval apart), start nanny
///   become standby   give the addresses up (nothing is forwarded or answered from the next batch),
///                    stop nanny (it puts back what it took out, so the table is lvs.cf's again)
///   reannounce       gratuitous ARP again (after a split brain healed)
///   sync (syncdaemon = 1)  the active router sends its workers' connection changes to the peer every
///                    few milliseconds; the standby feeds what it receives to its workers, which hold
///                    the connections without forwarding until a takeover
///
/// The state machine calls these under its lock, so each returns at once: nanny's start and stop run
/// in order on a queue of their own, announcements on the thread pool.
/// </summary>
public sealed class PulseHost : IFailoverTarget, IStatusSource, IAsyncDisposable
{
    private static readonly TimeSpan SyncPeriod = TimeSpan.FromMilliseconds(5);
    private const long PeerCheckMilliseconds = 20;
    private const int DumpChunk = 1 << 16;
    private readonly ForwarderHost _host;
    private readonly NannyHost _nanny;
    private readonly LvsConfig _config;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly RoleAssignment _roles;
    private readonly PulseService _pulse;
    private readonly GratuitousArpAnnouncer _announcer;
    private readonly List<LinkLayerSender> _senders = [];
    private readonly ConnectionSyncBatcher? _batcher;
    private readonly ConnectionSyncImporter? _importer;
    private readonly string? _syncInterface;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _nannyGate = new();
    private readonly Lock _flushGate = new();
    private readonly byte[] _standDownBuffer = new byte[ConnectionSyncBatch.MaxSize];   // the sender thread has its own
    private Task _nannyQueue = Task.CompletedTask;
    private CancellationTokenSource? _announcing;
    private Thread? _syncSender;
    private long _syncSent;
    private long _syncReceived;
    private long _syncDropped;

    private PulseHost(ForwarderHost host, NannyHost nanny, LvsConfig config, RoleAssignment roles, ILogger log, TimeProvider time)
    {
        _host = host;
        _nanny = nanny;
        _config = config;
        _roles = roles;
        _log = log;
        _time = time;
        var settings = new PulseSettings
        {
            Roles = roles,
            KeepAlive = config.KeepAlive,
            DeadTime = config.DeadTime,
            Key = File.ReadAllBytes(config.HeartbeatKeyFile!),
            FailbackDelay = config.FailbackDelay,
        };
        var commands = config.ActiveCommand is null && config.InactiveCommand is null
            ? null
            : new ShellCommandRunner(TimeSpan.FromSeconds(60), LogCommand);
        _pulse = new PulseService(settings, new UdpHeartbeatTransport(roles, config.HeartbeatPort), this, time, commands,
            config.ActiveCommand, config.InactiveCommand);
        _pulse.Transitioned += t => _log.LogWarning("pulse: {From} -> {To}: {Reason}", t.From, t.To, t.Reason);

        var publicSenders = host.PublicDevices.Select(device => Track(new LinkLayerSender(device))).ToList();
        _announcer = new GratuitousArpAnnouncer(publicSenders, Track(new LinkLayerSender(host.PrivateDevice)), time, host.Ownership);

        if (host.SyncExports.Count > 0)
        {
            _batcher = new ConnectionSyncBatcher(host.SyncExports);
            _importer = new ConnectionSyncImporter(host.SyncImports, host.Table, host.Templates);
            // Records travel with the heartbeats (authenticated, over the private network when there is
            // one), not on a multicast interface of their own: status names the device they really use.
            _syncInterface = roles.HasPrivateNetwork ? host.PrivateDevice : host.PublicDevices[0];
            if (config.SyncInterface is { } asked && asked != _syncInterface)
                _log.LogWarning("pulse: syncd_iface = {Asked} is not used: connection sync travels with the heartbeats, over {Device}",
                    asked, _syncInterface);
        }
    }

    /// <summary>
    /// The pulse of <paramref name="config"/> for this host, or null when lvs.cf names no router pair.
    /// Throws <see cref="InvalidOperationException"/> when this host is neither router.
    /// </summary>
    public static PulseHost? Create(ForwarderHost host, NannyHost nanny, LvsConfig config, bool forceActive, ILogger log, TimeProvider time)
    {
        if (!config.HasRouterPair) return null;
        var roles = RoleDetection.Detect(InterfaceAddresses.All(), config.Primary!.Value, config.PrimaryPrivate, config.Backup, config.BackupPrivate,
            forceActive, out string? error) ?? throw new InvalidOperationException($"pulse: {error}");
        return new PulseHost(host, nanny, config, roles, log, time);
    }

    /// <summary>
    /// Piranha's backup_active = 0: the backup router takes no part, so the primary runs alone. A
    /// daemon started on the backup host of such a config refuses to run instead of claiming the
    /// primary's floating addresses.
    /// </summary>
    public static void RefuseIdleBackup(LvsConfig config)
    {
        if (!config.Heartbeat || config.BackupActive || config.Backup is not { } backup) return;
        var own = InterfaceAddresses.All();
        if (own.Contains(backup) && config.Primary is { } primary && !own.Contains(primary))
            throw new InvalidOperationException($"this host is the backup router ({backup}) and lvs.cf says backup_active = 0: " +
                "it takes no part in failover; set backup_active = 1 to run it as the backup");
    }

    public ConfiguredRole ConfiguredRole => _roles.Role;

    RouterRole? IStatusSource.Role => _pulse.Role;

    public RouterRole Role => _pulse.Role;

    FailoverCounters? IStatusSource.Failover
    {
        get
        {
            var status = _pulse.Status;
            return new FailoverCounters(status.Transitions, status.Drops.ToDictionary(d => FrameMetrics.SnakeCase(d.Key.ToString()), d => d.Value));
        }
    }

    public void Start()
    {
        _log.LogInformation("pulse: this host is the {Role} router ({Self}, peer {Peer}{Private}); keepalive {KeepAlive} s, deadtime {DeadTime} s{Force}",
            _roles.Role.ToString().ToLowerInvariant(), _roles.SelfPublic, _roles.PeerPublic,
            _roles.HasPrivateNetwork ? $", private {_roles.SelfPrivate} / {_roles.PeerPrivate}" : "",
            _config.KeepAlive.TotalSeconds, _config.DeadTime.TotalSeconds, _roles.ForceActive ? ", --force-active" : "");
        PrepareTakeoverPath();
        if (_batcher is not null)
        {
            _syncSender = new Thread(SendSync) { IsBackground = true, Name = "userlvs-sync" };
            _syncSender.Start();
        }
        _pulse.Start();
    }

    void IFailoverTarget.BecomeActive()
    {
        _host.Ownership.Acquire();
        Announce("taking over");
        QueueNanny(start: true);
    }

    void IFailoverTarget.BecomeStandby()
    {
        _host.Ownership.Release();
        Interlocked.Exchange(ref _announcing, null)?.Cancel();
        QueueNanny(start: false);
        // Still active to the peer until the machine's Release goes out after this returns: send what
        // the workers exported in the last milliseconds now, or the router taking over (a failback)
        // would not know the newest connections, and they would reach it, stale, at our next takeover.
        // Only if the sender thread is not flushing: it holds _flushGate and waits for pulse's lock, which
        // this call (made by the state machine) holds, so waiting here could deadlock; its own flush
        // sends what it can until the role changes.
        if (_batcher is not null && _flushGate.TryEnter())
        {
            try { FlushLocked(_standDownBuffer, paced: false); }
            finally { _flushGate.Exit(); }
        }
    }

    void IFailoverTarget.Reannounce() => Announce("re-announcing after a split brain");

    void IFailoverTarget.SyncBatchReceived(ReadOnlySpan<byte> payload)
    {
        if (_importer is null) return;
        var status = _importer.Import(payload, NatWorker.NowMilliseconds);
        if (status == SyncDecodeStatus.Ok) Interlocked.Increment(ref _syncReceived);
        else Interlocked.Increment(ref _syncDropped);
    }

    /// <summary>What `userlvs-adm --status` shows of pulse (the status board adds nanny's list).</summary>
    public RouterStatus Status()
    {
        var status = _pulse.Status;
        var now = _time.GetUtcNow();
        double? heard = status.PeerLastHeard is { } at ? Math.Max(0, (now - at).TotalSeconds) : null;
        var rejected = status.Drops.Where(d => d.Value > 0).ToDictionary(d => FrameMetrics.SnakeCase(d.Key.ToString()), d => d.Value);
        // A path counts as carrying heartbeats while the peer was heard on it within deadtime.
        var networks = new List<string>();
        foreach (var network in new[] { PulseNetwork.Public, PulseNetwork.Private })
            if (status.PeerLastHeardOn[(int)network] is { } lastOn && now - lastOn <= _config.DeadTime)
                networks.Add(network == PulseNetwork.Public ? "public" : "private");
        var peer = new PeerStatus(_roles.PeerPublic.ToString(), heard, networks, rejected);
        SyncStatus? sync = _batcher is null
            ? null
            : new SyncStatus(status.Role == RouterRole.Active ? "master" : "backup", _syncInterface!, _config.SyncId,
                Interlocked.Read(ref _syncSent), Interlocked.Read(ref _syncReceived), Interlocked.Read(ref _syncDropped));
        return new RouterStatus(_roles.Role.ToString().ToLowerInvariant(), status.Role.ToString().ToLowerInvariant(),
            status.LastTransitionAt ?? now, status.LastTransitionReason ?? "started", (int)status.Transitions, peer, sync, [])
        {
            Stalls = status.Stalls,
        };
    }

    private void Announce(string why)
    {
        var cancel = new CancellationTokenSource();
        Interlocked.Exchange(ref _announcing, cancel)?.Cancel();
        var plan = GratuitousArpAnnouncer.Plan(_host.Router, _host.Table.Current, _host.VipLinks);
        _log.LogInformation("pulse: {Why}: gratuitous ARP for {Addresses}", why, string.Join(", ", plan.Select(a => a.Address)));
        _ = Task.Run(async () =>
        {
            try { await _announcer.AnnounceAsync(plan, _config.GratuitousArpCount, _config.GratuitousArpInterval, cancel.Token); }
            catch (OperationCanceledException) { }
            catch (Exception e) { _log.LogError("pulse: gratuitous ARP: {Error}", e.Message); }
        });
    }

    /// <summary>nanny starts and stops in the order pulse decided, off pulse's lock.</summary>
    private void QueueNanny(bool start)
    {
        lock (_nannyGate)
        {
            _nannyQueue = _nannyQueue.ContinueWith(_ =>
            {
                try
                {
                    if (start && !_nanny.IsRunning) _nanny.Start();
                    else if (!start && _nanny.IsRunning) _nanny.Stop();
                }
                catch (Exception e) { _log.LogError("nanny {Action}: {Error}", start ? "start" : "stop", e.Message); }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// JIT-compiles, before it is needed, the code a takeover runs under pulse's lock (this host, the
    /// state machine, the wire format, gratuitous ARP): compiled on first use it costs milliseconds of
    /// the deadtime budget at the worst moment. A first dry plan also builds the LINQ and logging
    /// generics it uses.
    /// </summary>
    private void PrepareTakeoverPath()
    {
        var types = new[]
        {
            typeof(PulseHost), typeof(PulseService), typeof(PulseStateMachine), typeof(UserLvs.Failover.Protocol.PulseCodec),
            typeof(UserLvs.Failover.Protocol.ReplayGuard), typeof(GratuitousArpAnnouncer), typeof(FloatingAddressOwnership),
            typeof(UdpHeartbeatTransport), typeof(ConnectionSyncImporter), typeof(ConnectionSyncBatcher),
        };
        const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static |
            System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly;
        foreach (var type in types.SelectMany(t => t.GetNestedTypes(all).Prepend(t)))
        {
            if (type.ContainsGenericParameters) continue;
            foreach (var method in type.GetMethods(all))
            {
                if (method.IsAbstract || method.ContainsGenericParameters) continue;
                try { System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(method.MethodHandle); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException) { }
            }
        }
        var plan = GratuitousArpAnnouncer.Plan(_host.Router, _host.Table.Current, _host.VipLinks);
        _log.LogDebug("pulse: {Why}: gratuitous ARP for {Addresses}", "prepared", string.Join(", ", plan.Select(a => a.Address)));
    }

    /// <summary>
    /// The active router's sync sender: every few milliseconds, whatever the workers exported. When a
    /// peer process it has not seen before appears (a backup that started, a primary that came back),
    /// it first sends that peer the whole table, so the peer can take over established connections.
    /// </summary>
    private void SendSync()
    {
        var buffer = new byte[ConnectionSyncBatch.MaxSize];
        ulong? dumpedTo = null;
        long nextPeerCheck = 0;
        while (!_stop.IsCancellationRequested)
        {
            if (_pulse.Role == RouterRole.Active)
            {
                if (Environment.TickCount64 >= nextPeerCheck)
                {
                    nextPeerCheck = Environment.TickCount64 + PeerCheckMilliseconds;
                    if (_pulse.Status.PeerBootId is { } peer && peer != dumpedTo)
                    {
                        DumpTable(buffer);
                        dumpedTo = peer;
                    }
                }
                Flush(buffer);
            }
            _stop.Token.WaitHandle.WaitOne(SyncPeriod);
        }
    }

    /// <param name="paced">A whole-table dump: a short pause every few dozen datagrams, so a burst of
    /// thousands does not overrun the peer's socket buffer or the path to it.</param>
    private void Flush(byte[] buffer, bool paced = false)
    {
        // Two takers (the sender thread, a stand-down): the batcher reads the workers' rings, one reader at a time.
        lock (_flushGate) FlushLocked(buffer, paced);
    }

    private void FlushLocked(byte[] buffer, bool paced)
    {
        int length, sent = 0;
        while ((length = _batcher!.TakeBatch(buffer)) > 0)
        {
            if (_pulse.SendSyncBatch(buffer.AsSpan(0, length))) Interlocked.Increment(ref _syncSent);
            else Interlocked.Increment(ref _syncDropped);
            if (paced && ++sent % 32 == 0) Thread.Sleep(1);
        }
    }

    /// <summary>Every worker's live connections, chunk by chunk on the worker's own thread, sent as they come.</summary>
    private void DumpTable(byte[] buffer)
    {
        var started = Environment.TickCount64;
        long before = Interlocked.Read(ref _syncSent);
        try
        {
            foreach (var worker in _host.Workers)
            {
                int next = 0;
                while (next >= 0 && !_stop.IsCancellationRequested)
                {
                    int from = next;
                    next = worker.Invoke(engine => engine.ExportAll(from, DumpChunk, NatWorker.NowMilliseconds), TimeSpan.FromSeconds(2));
                    Flush(buffer, paced: true);
                }
            }
            _log.LogInformation("sync: sent the whole connection table to the peer ({Batches} batch(es) in {Milliseconds} ms)",
                Interlocked.Read(ref _syncSent) - before, Environment.TickCount64 - started);
        }
        catch (TimeoutException e)
        {
            _log.LogError("sync: sending the connection table: {Error}", e.Message);
        }
    }

    private void LogCommand(CommandOutcome outcome)
    {
        if (outcome.Succeeded) _log.LogInformation("pulse: {Outcome}", outcome);
        else _log.LogError("pulse: {Outcome}", outcome);
    }

    private LinkLayerSender Track(LinkLayerSender sender)
    {
        _senders.Add(sender);
        return sender;
    }

    /// <summary>Stands down (the peer takes over at once instead of after deadtime), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _pulse.DisposeAsync();
        _stop.Cancel();
        _syncSender?.Join(TimeSpan.FromSeconds(1));
        Task queue;
        lock (_nannyGate) queue = _nannyQueue;
        await queue.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        foreach (var sender in _senders) sender.Dispose();
        _stop.Dispose();
    }
}
