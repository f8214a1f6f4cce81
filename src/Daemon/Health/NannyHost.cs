using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using UserLvs.Daemon.Config;
using UserLvs.Daemon.Metrics;
using UserLvs.Health;
using UserLvs.Health.Checks;
using UserLvs.Health.Monitoring;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Health;

/// <summary>
/// nanny in userlvsd: the health-check settings of every lvs.cf virtual service handed to a
/// <see cref="Nanny"/> over the live table, its state changes logged once each (down: warning,
/// up: information) and counted, and its verdicts reported to the metrics endpoint. Services that
/// lvs.cf does not name (userlvs-adm -A) get <see cref="ServiceCheckSettings.Unconfigured"/>.
/// <see cref="Start"/>/<see cref="Stop"/> exist so that pulse can run nanny on the active router only.
/// </summary>
public sealed class NannyHost : IStatusSource, IDisposable
{
    private readonly ILogger _log;
    private readonly Nanny _nanny;
    private readonly ConcurrentDictionary<RealServerId, (long Down, long Up)> _transitions = new();
    private FrozenDictionary<VirtualServiceKey, ServiceCheckSettings> _settings;
    private readonly ConcurrentDictionary<RealServerId, (string State, string Reason, DateTimeOffset Since)> _lastChange = new();
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;

    public NannyHost(ServiceTable table, LvsConfig config, ILogger log, TimeProvider? time = null, ICheckFactory? checks = null)
    {
        _log = log;
        _time = time ?? TimeProvider.System;
        _started = _time.GetUtcNow();
        _settings = SettingsFrom(config);
        WarnAboutLimits(config);
        _nanny = new Nanny(table, SettingsFor, new CheckScheduler(time), checks);
        _nanny.Transition += OnTransition;
        _nanny.ActionFailed += error => _log.LogError("nanny: {Error}", error);
    }

    public bool IsRunning => _nanny.IsRunning;

    public void Start()
    {
        _nanny.Start();
        _log.LogInformation("nanny: checking {Count} real server(s)", _nanny.Status().Count);
    }

    /// <summary>Stops checking; servers nanny took out are put back (the table as lvs.cf and the operator made it).</summary>
    public void Stop() => _nanny.Stop();

    /// <summary>A SIGHUP: <paramref name="applyTable"/> (the forwarder's reload) runs, then the new settings apply; if it throws, nothing changes.</summary>
    public void Reload(LvsConfig config, Action applyTable)
    {
        var settings = SettingsFrom(config);
        _nanny.Reload(key => settings.GetValueOrDefault(key) ?? ServiceCheckSettings.Unconfigured, () =>
        {
            applyTable();
            _settings = settings;
            WarnAboutLimits(config);
        });
    }

    public IReadOnlyCollection<RealServerHealth> RealServers =>
        _nanny.Status().Select(s => new RealServerHealth(s.Server.Service, s.Server.Address, s.Server.Port, s.InService)).ToList();

    public IReadOnlyCollection<RealServerTransitions> Transitions =>
        _transitions.Select(t => new RealServerTransitions(t.Key.Service, t.Key.Address, t.Key.Port, t.Value.Down, t.Value.Up)).ToList();

    /// <summary>Every monitored server with its verdict and last failure (for logs and tests).</summary>
    public IReadOnlyList<RealServerStatus> Status() => _nanny.Status();

    /// <summary>lvs.cf's virtual blocks as check settings, by service key; an active virtual wins over an inactive one with the same key.</summary>
    public static FrozenDictionary<VirtualServiceKey, ServiceCheckSettings> SettingsFrom(LvsConfig config)
    {
        var settings = new Dictionary<VirtualServiceKey, ServiceCheckSettings>();
        foreach (var v in config.VirtualServers.OrderBy(v => v.Active))
            settings[v.Key] = new ServiceCheckSettings
            {
                Send = v.Send,
                Expect = v.Expect,
                UseRegex = v.UseRegex,
                SendProgram = v.SendProgram,
                LoadMonitor = (LoadMonitor)v.LoadMonitor,
                Timeout = v.Timeout,
                Reentry = v.Reentry,
                CheckInterval = v.CheckInterval,
                QuiesceServer = v.QuiesceServer,
                SorryServer = v.SorryServer is { } s ? new SorryServer(s.Address, s.Port) : null,
            };
        return settings.ToFrozenDictionary();
    }

    private ServiceCheckSettings SettingsFor(VirtualServiceKey key) =>
        _settings.GetValueOrDefault(key) ?? ServiceCheckSettings.Unconfigured;

    /// <summary>
    /// What `userlvs-adm --status` lists: every monitored real server as "up", "down" (removed) or
    /// "quiesced", with the reason and time of its last change (the start, before any).
    /// </summary>
    public IReadOnlyList<UserLvs.Control.RealServerStatus> StatusForAdm() =>
        _nanny.Status()
            .Select(s =>
            {
                var id = s.Server;
                var (state, reason, since) = _lastChange.TryGetValue(id, out var change)
                    ? change
                    : (s.InService ? "up" : "down", s.LastFailure ?? "ok", _started);
                // An operator's -a/-e, a reload or a failover can put a server back without a passing
                // check (no transition): the live verdict wins over the last logged change.
                if (s.InService != (state == "up"))
                    (state, reason) = s.InService
                        ? ("up", "put back without a check (an operator, a reload or a failover); checked afresh")
                        : ("down", s.LastFailure ?? "taken out");
                var key = new UserLvs.Control.ServiceKey(id.Service.Protocol, id.Service.Address.ToString(), id.Service.Port);
                return new UserLvs.Control.RealServerStatus(key, id.Address.ToString(), id.Port, state, reason, since);
            })
            .OrderBy(s => s.Service.Address, StringComparer.Ordinal).ThenBy(s => s.Service.Port).ThenBy(s => s.Address, StringComparer.Ordinal)
            .ToList();

    private void OnTransition(HealthTransition transition)
    {
        string? state = transition.Action switch
        {
            HealthAction.Removed => "down",
            HealthAction.Quiesced => "quiesced",
            HealthAction.Restored => "up",
            _ => null,
        };
        if (state is not null) _lastChange[transition.Server] = (state, transition.Reason, _time.GetUtcNow());
        if (transition.Action is HealthAction.Removed or HealthAction.Quiesced or HealthAction.Restored)
            _transitions.AddOrUpdate(transition.Server,
                _ => transition.IsUp ? (0, 1) : (1, 0),
                (_, n) => transition.IsUp ? (n.Down, n.Up + 1) : (n.Down + 1, n.Up));
        if (transition.Action is HealthAction.Removed or HealthAction.Quiesced or HealthAction.SorryServerAdded)
            _log.LogWarning("nanny: {Transition}", transition);
        else
            _log.LogInformation("nanny: {Transition}", transition);
    }

    private void WarnAboutLimits(LvsConfig config)
    {
        foreach (var v in config.VirtualServers)
            if (v.Active && v.LoadMonitor != LvsLoadMonitor.None)
                _log.LogWarning("nanny: load_monitor = {Monitor} in {Virtual} is not implemented (it needs rup/ruptime on the real servers); weights stay as configured",
                    v.LoadMonitor.ToString().ToLowerInvariant(), v);
    }

    public void Dispose() => _nanny.Dispose();
}
