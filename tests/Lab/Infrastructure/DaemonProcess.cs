using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// userlvsd run exactly as a user runs it: `ip netns exec ROUTER userlvsd --config FILE --socket PATH`
/// in the foreground, logging to stderr. `ip netns exec` execs the daemon, so the process we start
/// is the daemon itself and every signal goes to that one id. Its log is kept for failure messages.
/// </summary>
public sealed partial class DaemonProcess : IDisposable
{
    private const int SIGTERM = 15;
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private int _id;

    private DaemonProcess(Process process) => _process = process;

    /// <summary>The daemon's process id (kept, so logs can name it after the process object is gone).</summary>
    public int Id => _id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get { lock (_lines) return string.Join('\n', _lines); }
    }

    /// <param name="extraArguments">More userlvsd options (e.g. --force-active).</param>
    public static DaemonProcess Start(string routerNamespace, string configPath, string socketPath, params string[] extraArguments)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "netns", "exec", routerNamespace, LabPaths.Daemon, "--config", configPath, "--socket", socketPath })
            start.ArgumentList.Add(argument);
        foreach (var argument in extraArguments) start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start };
        var daemon = new DaemonProcess(process);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.Start();
        daemon._id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Waits (bounded) for the "ready" line; throws with the log if it exits or overruns.</summary>
    public void WaitUntilReady(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (LogContains(" ready:")) return; // "info: userlvsd[0] ready: N virtual service(s) from FILE"
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"userlvsd exited with {_process.ExitCode} before it was ready:\n{Log}");
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"userlvsd did not log \"ready\" within {limit.TotalSeconds} s:\n{Log}");
    }

    public bool LogContains(string text)
    {
        lock (_lines)
        {
            foreach (var line in _lines)
                if (line.Contains(text, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>SIGTERM, as an operator stops it, then a bounded wait; returns its exit code.</summary>
    public int Stop(TimeSpan limit)
    {
        if (!_process.HasExited) _ = kill(_process.Id, SIGTERM);
        if (!_process.WaitForExit(limit))
        {
            _process.Kill();
            _process.WaitForExit(5_000);
            throw new TimeoutException($"userlvsd did not stop within {limit.TotalSeconds} s of SIGTERM (killed):\n{Log}");
        }
        _process.WaitForExit(); // drains the asynchronous readers, so the last log lines are in
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the daemon dies at once and undoes nothing, as in a crash.</summary>
    public void KillHard()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit(5_000);
    }

    /// <summary>Always leaves the daemon stopped: SIGTERM first so it undoes its kernel changes, SIGKILL if it hangs.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = kill(_process.Id, SIGTERM);
                if (!_process.WaitForExit(5_000)) _process.Kill();
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_lines) _lines.Add(line);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
