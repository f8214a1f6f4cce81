using UserLvs.Health.Checks;
using UserLvs.Health.Monitoring;
using UserLvs.Scheduling;

namespace UserLvs.Health;

/// <summary>
/// Piranha's nanny for a whole table: one <see cref="ServerMonitor"/> per real server per virtual
/// service, kept in step with the table, and the actions on a verdict.
///
/// Following the table (on every publish, and on <see cref="Reconfigure"/> after a reload):
///   a server in the table without a monitor          gets one (in service), with its service's settings
///   a monitored server gone from the table            its monitor stops (ipvsadm -d, a reload), unless
///                                                     nanny itself removed it: that monitor goes on
///   a service gone                                     its monitors stop
///   settings of a service changed                      its monitors restart (taken-out servers put back first)
///   a server nanny took out, back in the table         an operator's -a/-e: its monitor restarts, in service;
///                                                     after a reload with unchanged settings: taken out again
/// The weight a server is put back with is the weight the table last gave it while it was in service
/// (lvs.cf, or an operator's -e). The sorry server (weight 1) is in the table exactly while every
/// monitored server of its service is out; nanny never monitors it.
///
/// Locking: one lock over the bookkeeping. Nanny's own table changes publish on the same thread while
/// it holds the lock; that publish is skipped (the caller already knows), other publishes wait for it.
/// </summary>
public sealed class Nanny : IDisposable
{
    private readonly object _lock = new();
    private readonly ServiceTable _table;
    private readonly CheckScheduler _scheduler;
    private readonly ICheckFactory _checks;
    private readonly INannyActions _actions;
    private readonly Dictionary<RealServerId, Watch> _watches = [];
    private readonly Dictionary<VirtualServiceKey, RealServerId> _sorry = [];
    private Func<VirtualServiceKey, ServiceCheckSettings> _settingsFor;
    private bool _running;

    public Nanny(ServiceTable table, Func<VirtualServiceKey, ServiceCheckSettings> settingsFor,
        CheckScheduler? scheduler = null, ICheckFactory? checks = null, INannyActions? actions = null)
    {
        _table = table;
        _settingsFor = settingsFor;
        _scheduler = scheduler ?? new CheckScheduler();
        _checks = checks ?? new CheckFactory(_scheduler.Time);
        _actions = actions ?? new ServiceTableActions(table);
    }

    /// <summary>Raised once per state change, under nanny's lock: handlers must be quick and must not call back.</summary>
    public event Action<HealthTransition>? Transition;

    /// <summary>Raised when an action on the table failed (text for the log).</summary>
    public event Action<string>? ActionFailed;

    public bool IsRunning
    {
        get { lock (_lock) return _running; }
    }

    /// <summary>Starts a monitor for every real server in the table and follows the table from now on.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_running) return;
            _running = true;
            _table.Published += OnPublished;
            Follow(reapply: false);
        }
    }

    /// <summary>
    /// Stops every monitor and leaves the table as it would be without nanny: servers it took out are
    /// put back with their weights and its sorry servers removed, so a later <see cref="Start"/>
    /// (this router active again) checks every configured server afresh. With
    /// <paramref name="restoreTable"/> false (the daemon is exiting) the table is left as it is.
    /// </summary>
    public void Stop(bool restoreTable = true)
    {
        lock (_lock)
        {
            if (!_running) return;
            _running = false;
            _table.Published -= OnPublished;
            foreach (var watch in _watches.Values)
            {
                watch.Monitor.Dispose();
                if (watch.Out && restoreTable) PutBack(watch);
            }
            _watches.Clear();
            if (restoreTable)
                foreach (var (service, sorry) in _sorry) Act(_actions.Remove(service, sorry.Address, sorry.Port), $"removing sorry server {sorry}");
            _sorry.Clear();
        }
    }

    /// <summary>
    /// A reload: <paramref name="applyTable"/> changes the table (its publishes are not followed one by
    /// one), then the new settings apply: changed services' monitors restart, and a server nanny had
    /// taken out that the reload put back is taken out again when its settings did not change (it
    /// failed and nothing says it was fixed). If <paramref name="applyTable"/> throws (the reload is
    /// refused), the old settings stay and the table is followed as it is.
    /// </summary>
    public void Reload(Func<VirtualServiceKey, ServiceCheckSettings> settingsFor, Action applyTable) =>
        Reload(settingsFor, applyTable, tableFromConfig: true);

    /// <summary>New settings only (the table unchanged).</summary>
    public void Reconfigure(Func<VirtualServiceKey, ServiceCheckSettings> settingsFor) => Reload(settingsFor, () => { }, tableFromConfig: false);

    private void Reload(Func<VirtualServiceKey, ServiceCheckSettings> settingsFor, Action applyTable, bool tableFromConfig)
    {
        lock (_lock)
        {
            bool applied = false;
            try
            {
                applyTable();
                applied = true;
                _settingsFor = settingsFor;
            }
            finally
            {
                if (_running) Follow(reapply: true, tableFromConfig: applied && tableFromConfig);
            }
        }
    }

    /// <summary>Every monitored real server, in service or out (for metrics and status).</summary>
    public IReadOnlyList<RealServerStatus> Status()
    {
        lock (_lock)
            return _watches.Values.Select(w => new RealServerStatus(w.Monitor.Server, !w.Out, w.Monitor.LastFailure, w.Monitor.Checks)).ToList();
    }

    /// <summary>Stops the monitors and leaves the table as it is.</summary>
    public void Dispose() => Stop(restoreTable: false);

    private void OnPublished(ServiceTableSnapshot _)
    {
        // Our own change, published on this thread while we hold the lock: the caller is mid-way.
        if (Monitor.IsEntered(_lock)) return;
        lock (_lock)
        {
            if (_running) Follow(reapply: false);
        }
    }

    // tableFromConfig: the table was just replaced with the configuration's (a reload), which lists
    // every configured server, taken out or not.
    private void Follow(bool reapply, bool tableFromConfig = false)
    {
        var snapshot = _table.Current;
        foreach (var (service, sorry) in _sorry.ToList())
            if (snapshot.Find(service)?.FindRealServer(sorry.Address, sorry.Port) is null) _sorry.Remove(service);

        var present = new Dictionary<RealServerId, RealServer>();
        foreach (var service in snapshot.Services)
            foreach (var server in service.RealServers)
            {
                var id = new RealServerId(service.Key, server.Address, server.Port);
                if (!_sorry.TryGetValue(service.Key, out var sorry) || sorry != id) present[id] = server;
            }

        foreach (var (id, watch) in _watches.ToList())
        {
            present.Remove(id, out var server);
            var settings = _settingsFor(id.Service);
            bool sameSettings = settings == watch.Monitor.Settings;
            if (snapshot.Find(id.Service) is null) { StopWatch(id, watch); continue; }
            if (!watch.Out)
            {
                if (server is null) { StopWatch(id, watch); continue; }
                watch.Configured = server;
                if (!sameSettings) Restart(id, watch, settings);
                continue;
            }
            bool quiesced = watch.Monitor.Settings.QuiesceServer;
            // A reload re-adds every configured server, so a removed server still missing after one
            // is no longer configured: forget it (lvsd kills that server's nanny), never put it back.
            if (tableFromConfig && !quiesced && server is null) { StopWatch(id, watch); continue; }
            bool asLeft = quiesced ? server is { Weight: 0 } : server is null;
            if (asLeft)
            {
                if (sameSettings) continue;
                PutBack(watch);
                Restart(id, watch, settings);
                continue;
            }
            if (server is null) { StopWatch(id, watch); continue; } // a quiesced server the operator removed
            watch.Configured = server;
            if (reapply && sameSettings) TakeOut(watch); // the reload re-added a server that still fails
            else Restart(id, watch, settings);           // an operator put it back: trust, then check
        }

        foreach (var (id, server) in present)
        {
            var watch = new Watch(server);
            _watches[id] = watch;
            watch.Monitor = NewMonitor(id, _settingsFor(id.Service));
            watch.Monitor.Start();
        }
        UpdateSorryServers(snapshot);
    }

    private void OnChange(ServerMonitor monitor, CheckResult result)
    {
        lock (_lock)
        {
            if (!_running || monitor.IsStopped || !_watches.TryGetValue(monitor.Server, out var watch) || watch.Monitor != monitor) return;
            watch.Out = !watch.Out;
            if (watch.Out)
            {
                TakeOut(watch);
                bool quiesce = monitor.Settings.QuiesceServer;
                Raise(new HealthTransition(monitor.Server, quiesce ? HealthAction.Quiesced : HealthAction.Removed, result.Reason, quiesce ? 0 : -1));
            }
            else
            {
                PutBack(watch);
                Raise(new HealthTransition(monitor.Server, HealthAction.Restored, $"passed for {CheckText.Seconds(monitor.Settings.Reentry)}", watch.Configured.Weight));
            }
            UpdateSorryServers(_table.Current);
        }
    }

    private void TakeOut(Watch watch)
    {
        var id = watch.Monitor.Server;
        if (watch.Monitor.Settings.QuiesceServer)
            Act(_actions.SetWeight(id.Service, id.Address, id.Port, 0), $"quiescing {id}");
        else
            Act(_actions.Remove(id.Service, id.Address, id.Port), $"removing {id}");
    }

    private void PutBack(Watch watch)
    {
        var id = watch.Monitor.Server;
        var configured = watch.Configured;
        if (watch.Monitor.Settings.QuiesceServer)
            Act(_actions.SetWeight(id.Service, id.Address, id.Port, configured.Weight), $"restoring the weight of {id}");
        else
            Act(_actions.Add(id.Service, new RealServer(id.Address, id.Port, configured.Weight, configured.UpperThreshold,
                configured.LowerThreshold, configured.ForwardingMethod)), $"adding back {id}");
        watch.Out = false;
    }

    /// <summary>
    /// The sorry server of each service: in while no real server is in service, otherwise not. A
    /// service with no real server at all (every one active = 0) counts as down too, as Piranha's
    /// lvsd adds the sorry server whenever none is active.
    /// </summary>
    private void UpdateSorryServers(ServiceTableSnapshot snapshot)
    {
        var allOut = new Dictionary<VirtualServiceKey, bool>();
        foreach (var (id, watch) in _watches)
            allOut[id.Service] = watch.Out && allOut.GetValueOrDefault(id.Service, true);
        foreach (var service in snapshot.Services)
            if (!allOut.ContainsKey(service.Key) && _settingsFor(service.Key).SorryServer is not null) allOut[service.Key] = true;
        foreach (var (service, sorryId) in _sorry.ToList())
        {
            var wanted = _settingsFor(service).SorryServer;
            if (allOut.GetValueOrDefault(service) && wanted is { } w && w.Address == sorryId.Address && w.Port == sorryId.Port) continue;
            _sorry.Remove(service);
            Act(_actions.Remove(service, sorryId.Address, sorryId.Port), $"removing sorry server {sorryId}");
            Raise(new HealthTransition(sorryId, HealthAction.SorryServerRemoved, "a real server is in service", -1));
        }
        foreach (var (service, down) in allOut)
        {
            if (!down || _sorry.ContainsKey(service) || snapshot.Find(service) is null) continue;
            if (_settingsFor(service).SorryServer is not { } sorry) continue;
            var id = new RealServerId(service, sorry.Address, sorry.Port);
            _sorry[service] = id;
            if (!Act(_actions.Add(service, new RealServer(sorry.Address, sorry.Port, 1)), $"adding sorry server {id}"))
            {
                _sorry.Remove(service);
                continue;
            }
            Raise(new HealthTransition(id, HealthAction.SorryServerAdded, "every real server is out", 1));
        }
    }

    private void Restart(RealServerId id, Watch watch, ServiceCheckSettings settings)
    {
        watch.Monitor.Dispose();
        watch.Out = false;
        watch.Monitor = NewMonitor(id, settings);
        watch.Monitor.Start();
    }

    private void StopWatch(RealServerId id, Watch watch)
    {
        watch.Monitor.Dispose();
        _watches.Remove(id);
    }

    private ServerMonitor NewMonitor(RealServerId id, ServiceCheckSettings settings) =>
        new(id, settings, _checks.Create(settings, id.Service.Protocol, id.Service.Port), _scheduler, OnChange);

    private bool Act(TableResult result, string what)
    {
        if (result == TableResult.Ok) return true;
        ActionFailed?.Invoke($"{what}: {result}");
        return false;
    }

    private void Raise(HealthTransition transition) => Transition?.Invoke(transition);

    private sealed class Watch(RealServer configured)
    {
        public ServerMonitor Monitor = null!;
        public RealServer Configured = configured;
        public bool Out;
    }
}
