using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// One test's own two-tier LVS-NAT lab (lab/topology.sh): client 192.0.2.100 in PREFIX-cl, the
/// router PREFIX-rt (pub0 192.0.2.1, priv0 10.0.0.1), real servers s1..s3 at 10.0.0.11..13 in
/// PREFIX-rs1..3, plus the daemon the test starts in the router. The prefix is fresh per test
/// ("l" + 5 random hex digits), so runs never meet. Dispose always stops the daemon (its own id
/// only) and takes the topology down, whatever the test did; a test host that exits early does the
/// same for every lab still up.
/// </summary>
public sealed class LvsLab : IDisposable
{
    public const string Vip = "192.0.2.10";
    public const string ClientAddress = "192.0.2.100";
    private static readonly TimeSpan TopologyLimit = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<LvsLab, byte> Live = new();
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _down;

    static LvsLab() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var lab in Live.Keys) lab.Dispose();
    };

    private LvsLab(string prefix, ITestOutputHelper output)
    {
        Prefix = prefix;
        _output = output;
        WorkDirectory = Directory.CreateTempSubdirectory($"userlvs-lab-{prefix}-").FullName;
    }

    public string Prefix { get; }

    public string ClientNamespace => $"{Prefix}-cl";

    public string RouterNamespace => $"{Prefix}-rt";

    public string RealServerNamespace(int i) => $"{Prefix}-rs{i}";

    /// <summary>Where this test writes its lvs.cf and the daemon's control socket.</summary>
    public string WorkDirectory { get; }

    /// <summary>The lvs.cf <see cref="StartDaemon"/> writes and the daemon reloads on SIGHUP.</summary>
    public string ConfigPath => Path.Combine(WorkDirectory, "lvs.cf");

    /// <summary>The daemon's control socket (its --socket), for userlvs-adm's USERLVS_SOCKET.</summary>
    public string SocketPath => Path.Combine(WorkDirectory, "userlvsd.sock");

    public DaemonProcess? Daemon { get; private set; }

    public static LvsLab Up(ITestOutputHelper output)
    {
        var lab = new LvsLab("l" + Random.Shared.Next(0x100000).ToString("x5"), output);
        Live[lab] = 0;
        try
        {
            CommandLine.Check(LabPaths.Topology, ["up", lab.Prefix], TopologyLimit);
            lab.Note($"topology {lab.Prefix} up");
            return lab;
        }
        catch
        {
            lab.Dispose(); // "down" also removes what a half-finished "up" made
            throw;
        }
    }

    /// <summary>Writes <paramref name="lvsCf"/> to this test's directory, starts userlvsd with it and waits until it is ready.</summary>
    public DaemonProcess StartDaemon(string lvsCf)
    {
        if (Daemon is not null) throw new InvalidOperationException("this lab already runs a daemon");
        File.WriteAllText(ConfigPath, lvsCf);
        Daemon = DaemonProcess.Start(RouterNamespace, ConfigPath, SocketPath);
        Daemon.WaitUntilReady(TimeSpan.FromSeconds(30));
        Note($"userlvsd (pid {Daemon.Id}) ready");
        return Daemon;
    }

    public CommandResult InNamespace(string ns, TimeSpan limit, params string[] command) =>
        CommandLine.Run("ip", ["netns", "exec", ns, .. command], limit);

    public CommandResult CheckInNamespace(string ns, TimeSpan limit, params string[] command) =>
        CommandLine.Check("ip", ["netns", "exec", ns, .. command], limit);

    /// <summary>A second (third...) client on the public segment: another address on the client's eth0.</summary>
    public void AddClientAddress(string address) =>
        CommandLine.Check("ip", ["-n", ClientNamespace, "addr", "add", $"{address}/24", "dev", "eth0"], TimeSpan.FromSeconds(10));

    /// <summary>
    /// <paramref name="count"/> HTTP GETs of / on the VIP from <paramref name="from"/>, each on a new
    /// TCP connection from a new ephemeral port (Connection: close; curl's num_connects proves it),
    /// so every one is scheduled. Returns who answered, in order; fails the test if any request failed.
    /// </summary>
    public IReadOnlyList<Answer> Connections(int count, string from = ClientAddress)
    {
        var command = new List<string>
        {
            "curl", "-sS", "--connect-timeout", "3", "-m", "5", "--interface", from,
            "-H", "Connection: close", "-w", "|%{num_connects}|%{http_code}|%{local_port}\\n",
        };
        for (int i = 0; i < count; i++) command.Add($"http://{Vip}/");
        var result = InNamespace(ClientNamespace, TimeSpan.FromSeconds(10 + 5 * count), [.. command]);
        var answers = new List<Answer>();
        string body = "";
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (!line.StartsWith('|')) { body = line; continue; }
            var fields = line.Split('|');
            Assert.True(fields is [_, "1", "200", _], $"request {answers.Count + 1} was not a fresh, successful connection ({line}):\n{result}\n{DaemonLog}");
            answers.Add(new Answer(body, int.Parse(fields[3])));
        }
        Assert.True(answers.Count == count, $"{answers.Count} of {count} requests answered:\n{result}\n{DaemonLog}");
        return answers;
    }

    /// <summary>The servers that answered <see cref="Connections"/>, in order.</summary>
    public IReadOnlyList<string> ServersAnswering(int count, string from = ClientAddress) =>
        Connections(count, from).Select(a => a.Server).ToList();

    public string DaemonLog => Daemon is null ? "(no daemon)" : "--- userlvsd log ---\n" + Daemon.Log;

    /// <summary>Takes the topology down (idempotent); the daemon is stopped first if still running.</summary>
    public void Down()
    {
        if (_down) return;
        Daemon?.Dispose();
        var result = CommandLine.Run(LabPaths.Topology, ["down", Prefix], TopologyLimit);
        _down = true;
        Note(result.ExitCode == 0 ? $"topology {Prefix} down" : $"topology down failed: {result}");
    }

    /// <summary>A line in the test's output with the seconds since the lab was started.</summary>
    public void Note(string text)
    {
        try { _output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F2} s] {text}"); }
        catch (InvalidOperationException) { } // the test is already over (process-exit clean-up)
    }

    public void Dispose()
    {
        if (!Live.TryRemove(this, out _)) return;
        try
        {
            Down();
            if (Daemon is not null) Note(DaemonLog);
        }
        finally
        {
            try { Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>One HTTP request through the VIP: the real server that answered and the client's source port.</summary>
public sealed record Answer(string Server, int LocalPort);
