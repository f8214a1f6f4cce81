using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// One test's own active/backup lab (lab/topology.sh with LAB_ROUTERS=2): the client 192.0.2.100,
/// the primary router PREFIX-rt (192.0.2.1, 10.0.0.2), the backup PREFIX-rt2 (192.0.2.2, 10.0.0.3),
/// the floating VIP 192.0.2.10 and NAT router address 10.0.0.1 that only the active userlvsd answers
/// for, and real servers s1..s3. Both routers run the same lvs.cf (<see cref="PairConfig"/>) with a
/// heartbeat key in this test's directory. Dispose stops both daemons (their own ids only) and takes
/// the topology down, whatever the test did.
/// </summary>
public sealed class RouterPairLab : IDisposable
{
    public const string Vip = LvsLab.Vip;
    private static readonly TimeSpan TopologyLimit = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<RouterPairLab, byte> Live = new();
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly DaemonProcess?[] _daemons = new DaemonProcess?[2];
    private readonly List<string> _finishedLogs = [];
    private bool _down;

    static RouterPairLab() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var lab in Live.Keys) lab.Dispose();
    };

    private RouterPairLab(string prefix, ITestOutputHelper output)
    {
        Prefix = prefix;
        _output = output;
        WorkDirectory = Directory.CreateTempSubdirectory($"userlvs-pair-{prefix}-").FullName;
        KeyPath = Path.Combine(WorkDirectory, "heartbeat.key");
        File.WriteAllText(KeyPath, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public string Prefix { get; }

    public string WorkDirectory { get; }

    /// <summary>The shared heartbeat secret both routers' lvs.cf name.</summary>
    public string KeyPath { get; }

    public string ConfigPath => Path.Combine(WorkDirectory, "lvs.cf");

    public string ClientNamespace => $"{Prefix}-cl";

    /// <summary>Router 0 is the primary (PREFIX-rt), router 1 the backup (PREFIX-rt2).</summary>
    public string RouterNamespace(int router) => router == 0 ? $"{Prefix}-rt" : $"{Prefix}-rt2";

    public string RealServerNamespace(int i) => $"{Prefix}-rs{i}";

    public string SocketPath(int router) => Path.Combine(WorkDirectory, $"userlvsd-{router}.sock");

    public DaemonProcess? Daemon(int router) => _daemons[router];

    public UserLvsAdm Adm(int router) => new(SocketPath(router));

    public static RouterPairLab Up(ITestOutputHelper output)
    {
        var lab = new RouterPairLab("p" + Random.Shared.Next(0x100000).ToString("x5"), output);
        Live[lab] = 0;
        try
        {
            CommandLine.Check("env", ["LAB_ROUTERS=2", LabPaths.Topology, "up", lab.Prefix], TopologyLimit);
            lab.Note($"topology {lab.Prefix} up (primary and backup routers)");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Writes the shared lvs.cf (once) and starts userlvsd on <paramref name="router"/>; waits until it is ready.</summary>
    public DaemonProcess StartRouter(int router, string lvsCf, params string[] extraArguments)
    {
        if (_daemons[router] is { HasExited: false }) throw new InvalidOperationException($"router {router} already runs a daemon");
        if (_daemons[router] is { } old) Retire(router, old);
        File.WriteAllText(ConfigPath, lvsCf);
        var daemon = DaemonProcess.Start(RouterNamespace(router), ConfigPath, SocketPath(router), extraArguments);
        _daemons[router] = daemon;
        daemon.WaitUntilReady(TimeSpan.FromSeconds(30));
        Note($"userlvsd on {RouterNamespace(router)} (pid {daemon.Id}) ready");
        return daemon;
    }

    /// <summary>Sets both of a router's links down (or up again), as when its host loses the network.</summary>
    public void SetRouterLinks(int router, bool up)
    {
        foreach (var device in new[] { "pub0", "priv0" })
            CommandLine.Check("ip", ["-n", RouterNamespace(router), "link", "set", device, up ? "up" : "down"], TimeSpan.FromSeconds(10));
        Note($"{RouterNamespace(router)} links {(up ? "up" : "down")}");
    }

    /// <summary>Waits (bounded) until <paramref name="router"/>'s --status shows <paramref name="role"/>; returns the status text.</summary>
    public string WaitForRole(int router, string role, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < limit)
        {
            var result = Adm(router).Run("--status");
            last = result.StandardOutput + result.StandardError;
            if (result.ExitCode == 0 && last.StartsWith($"Role: {role} ", StringComparison.Ordinal)) return last;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"{RouterNamespace(router)} did not become {role} within {limit.TotalSeconds} s; last status:\n{last}\n{Logs}");
    }

    public CommandResult InNamespace(string ns, TimeSpan limit, params string[] command) =>
        CommandLine.Run("ip", ["netns", "exec", ns, .. command], limit);

    /// <summary>One HTTP GET of / through the VIP on a new connection; the server's name, or null if it failed.</summary>
    public string? Request()
    {
        var result = InNamespace(ClientNamespace, TimeSpan.FromSeconds(10), "curl", "-sS", "--connect-timeout", "2", "-m", "4", $"http://{Vip}/");
        return result.ExitCode == 0 ? result.StandardOutput.Trim() : null;
    }

    /// <summary>Every daemon's log so far, for failure messages.</summary>
    public string Logs
    {
        get
        {
            var parts = new List<string>(_finishedLogs);
            for (int i = 0; i < 2; i++)
                if (_daemons[i] is { } d) parts.Add($"--- userlvsd on {RouterNamespace(i)} (pid {d.Id}) ---\n{d.Log}");
            return string.Join('\n', parts);
        }
    }

    public void Note(string text)
    {
        try { _output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F2} s] {text}"); }
        catch (InvalidOperationException) { }
    }

    private void Retire(int router, DaemonProcess daemon)
    {
        _finishedLogs.Add($"--- earlier userlvsd on {RouterNamespace(router)} (pid {daemon.Id}) ---\n{daemon.Log}");
        daemon.Dispose();
        _daemons[router] = null;
    }

    public void Dispose()
    {
        if (!Live.TryRemove(this, out _)) return;
        try
        {
            if (!_down)
            {
                foreach (var daemon in _daemons) daemon?.Dispose();
                var result = CommandLine.Run(LabPaths.Topology, ["down", Prefix], TopologyLimit);
                _down = true;
                Note(result.ExitCode == 0 ? $"topology {Prefix} down" : $"topology down failed: {result}");
                Note(Logs);
            }
        }
        finally
        {
            try { Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
