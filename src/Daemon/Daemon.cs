using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using UserLvs.Daemon.Config;
using UserLvs.Daemon.Control;
using UserLvs.Daemon.Health;
using UserLvs.Daemon.Metrics;
using UserLvs.Daemon.Hosting;
using UserLvs.Daemon.Status;
using UserLvs.Daemon.Failover;

namespace UserLvs.Daemon;

/// <summary>What the command line asked for.</summary>
public sealed record DaemonOptions(string ConfigPath, string SocketPath, string? Metrics, int Workers, int ConnectionsPerWorker,
    UserLvs.Forwarder.IO.PortBackend Io = UserLvs.Forwarder.IO.PortBackend.Ring)
{
    /// <summary>--force-active: with a router pair, claim the active role and keep it (pulse's --forceactive).</summary>
    public bool ForceActive { get; init; }
}

/// <summary>
/// The daemon's life: load and validate lvs.cf, start forwarding, reload on SIGHUP (a config with
/// errors is refused and the running table stays), stop on SIGTERM/SIGINT undoing every kernel change.
/// Logs go to stderr through Microsoft.Extensions.Logging.
/// </summary>
public static class Daemon
{
    public static int Check(string path)
    {
        bool ok = ConfigLoader.TryLoad(path, out _, out var diagnostics);
        foreach (var diagnostic in diagnostics) Console.Error.WriteLine(diagnostic);
        if (ok) Console.Error.WriteLine($"{path}: OK");
        return ok ? 0 : 1;
    }

    public static int Run(DaemonOptions options)
    {
        if (!ConfigLoader.TryLoad(options.ConfigPath, out var config, out var diagnostics))
        {
            foreach (var diagnostic in diagnostics) Console.Error.WriteLine(diagnostic);
            return 1;
        }
        using var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(LogLevels.From(config.DebugLevel)));
        var log = loggers.CreateLogger("userlvsd");
        foreach (var warning in diagnostics) log.LogWarning("{Warning}", warning);

        using var stop = new ManualResetEventSlim(false);
        using var reload = new AutoResetEvent(false);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; reload.Set(); });

        var host = new ForwarderHost(log, options.Workers, options.ConnectionsPerWorker) { Io = options.Io };
        try
        {
            PulseHost.RefuseIdleBackup(config);
            host.Start(config);
            using var nanny = new NannyHost(host.Table, config, log);
            // With a router pair pulse decides when this router is active, and nanny runs only then.
            var pulse = PulseHost.Create(host, nanny, config, options.ForceActive, log, TimeProvider.System);
            // Disposed before nanny and the forwarder: an active router stands down and tells its peer first.
            using var stopPulse = new DisposeAction(() => pulse?.DisposeAsync().AsTask().GetAwaiter().GetResult());
            if (pulse is null) nanny.Start();
            using var rates = new RateEstimator(() => host.Table.Current);
            var status = new StatusBoard(TimeProvider.System) { Health = nanny.StatusForAdm, Failover = pulse is null ? null : pulse.Status };
            var handler = new ControlHandler(host.Table, host.Timeouts, () => host.Workers, host.Templates, rates, status);
            var control = new ControlServer(options.SocketPath, handler, log);
            using var closeControl = new DisposeAction(() => control.DisposeAsync().AsTask().GetAwaiter().GetResult());
            log.LogInformation("control socket {Socket}", options.SocketPath);
            using var metrics = options.Metrics is { } address ? MetricsEndpoint.Start(address, host.Table, host.Totals) : null;
            metrics?.AddStatusSource(nanny);
            if (pulse is not null) metrics?.AddStatusSource(pulse);
            pulse?.Start();
            if (metrics is not null) log.LogInformation("metrics on http://{Address}/metrics", options.Metrics);
            log.LogInformation("ready: {Count} virtual service(s) from {Config}", host.Table.Current.Count, options.ConfigPath);
            SystemdNotifier.Notify("READY=1");
            var handles = new WaitHandle[] { stop.WaitHandle, reload };
            while (true)
            {
                int signalled = WaitHandle.WaitAny(handles, TimeSpan.FromSeconds(1));
                if (signalled == 0) break;
                if (signalled == 1) Reload(host, nanny, options.ConfigPath, log);
                if (host.WorkerFailure is { } failure)
                {
                    log.LogCritical(failure, "a forwarding worker failed; stopping");
                    return 70;
                }
            }
            log.LogInformation("stopping");
            SystemdNotifier.Notify("STOPPING=1");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or System.Net.Sockets.SocketException)
        {
            log.LogCritical("cannot forward: {Error}", e.Message);
            return 1;
        }
        finally
        {
            host.Dispose();
            LogTotals(host, log);
        }
    }

    private static void Reload(ForwarderHost host, NannyHost nanny, string path, ILogger log)
    {
        SystemdNotifier.Notify("RELOADING=1");
        try { ReloadConfig(host, nanny, path, log); }
        finally { SystemdNotifier.Notify("READY=1"); }
    }

    private static void ReloadConfig(ForwarderHost host, NannyHost nanny, string path, ILogger log)
    {
        if (!ConfigLoader.TryLoad(path, out var config, out var diagnostics))
        {
            foreach (var error in diagnostics) log.LogError("reload refused: {Error}", error);
            return;
        }
        try
        {
            nanny.Reload(config, () => host.Reload(config));
        }
        catch (InvalidOperationException e)
        {
            log.LogError("reload refused: {Error}", e.Message);
            return;
        }
        log.LogInformation("reloaded {Config}: {Count} virtual service(s)", path, host.Table.Current.Count);
    }

    private static void LogTotals(ForwarderHost host, ILogger log)
    {
        var t = host.Totals();
        log.LogInformation("frames: {Received} received, {In} to real servers, {Out} to clients, {Answered} answered, {Kernel} left to the kernel, {Dropped} dropped {Drops}",
            t.Received, t.ForwardedToServers, t.ForwardedToClients, t.Answered, t.LeftToKernel, t.Dropped,
            string.Join(", ", t.Drops.Select(d => $"{d.Key}={d.Value}")));
    }
}

/// <summary>lvs.cf's debug_level as a log level: NONE logs what an operator must see, HIGH everything.</summary>
internal static class LogLevels
{
    public static LogLevel From(LvsDebugLevel level) => level.ToString().ToUpperInvariant() switch
    {
        "NONE" => LogLevel.Information,
        "LOW" => LogLevel.Information,
        "MEDIUM" => LogLevel.Debug,
        _ => LogLevel.Trace,
    };
}

/// <summary>Runs an action at the end of a using scope.</summary>
internal sealed class DisposeAction(Action action) : IDisposable
{
    public void Dispose() => action();
}
