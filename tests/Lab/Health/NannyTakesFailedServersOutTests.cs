using System.Diagnostics;
using System.Text.RegularExpressions;
using UserLvs.Lab.Tests.Adm;
using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Health;

/// <summary>
/// nanny in the real userlvsd: a real server whose HTTP server stops is taken out of the virtual
/// service within timeout + one check interval, and after it serves again for reentry it is back;
/// with quiesce_server = 1 it stays listed at weight 0 and its established connection goes on.
/// The checks are the built-in HTTP probe from the router to 10.0.0.1x:80.
/// </summary>
public sealed class NannyTakesFailedServersOutTests : IDisposable
{
    private const string Header = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port Scheduler Flags
          -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
        TCP  192.0.2.10:80 rr

        """;
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(0.5); // a check's own duration and timer jitter
    private readonly LvsLab _lab;
    private readonly UserLvsAdm _adm;
    private Process? _restarted;

    public NannyTakesFailedServersOutTests(ITestOutputHelper output)
    {
        _lab = LvsLab.Up(output);
        _adm = new UserLvsAdm(_lab.SocketPath);
    }

    public void Dispose()
    {
        if (_restarted is { } p)
        {
            try { if (!p.HasExited) p.Kill(); p.WaitForExit(5_000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        _lab.Dispose();
    }

    [LabFact]
    public void AStoppedHttpServer_IsRemovedWithinTimeoutPlusAnInterval_AndServesAgainAfterReentry()
    {
        _lab.StartDaemon(NannyConfig.Text(quiesce: false));
        Assert.Equal(["s1", "s2", "s3"], _lab.ServersAnswering(6).Distinct().Order());

        StopHttpServer(2);
        var stopped = Stopwatch.StartNew();
        Thread.Sleep(NannyConfig.Timeout + NannyConfig.Interval + Slack);
        _lab.Note($"s2 stopped {stopped.Elapsed.TotalSeconds:F2} s ago");
        var answers = _lab.ServersAnswering(9); // every one succeeds: none is sent to s2
        Assert.DoesNotContain("s2", answers);
        Assert.Equal(Header + """
              -> 10.0.0.11:80                 Masq    1
              -> 10.0.0.13:80                 Masq    1

            """, HttpServiceConfig.WithoutCounters(_adm.Check("-L", "-n")));
        Assert.Contains(_lab.DaemonLog.Split('\n'), l => l.Contains("nanny: real server 10.0.0.12:80 of TCP 192.0.2.10:80 is down (connection refused): removed"));

        StartHttpServer(2);
        var back = WaitForListing(l => l.Contains("10.0.0.12:80"), TimeSpan.FromSeconds(15));
        _lab.Note($"s2 listed again {stopped.Elapsed.TotalSeconds:F2} s after it was stopped:\n{back}");
        Assert.Contains("s2", _lab.ServersAnswering(6));
        Assert.Contains(_lab.DaemonLog.Split('\n'), l => l.Contains("nanny: real server 10.0.0.12:80 of TCP 192.0.2.10:80 is up (passed for 2s): restored with weight 1"));
    }

    [LabFact]
    public void Quiesce_ShowsWeightZero_WhileTheEstablishedConnectionGoesOn()
    {
        _lab.StartDaemon(NannyConfig.Text(quiesce: true));
        using var held = new HeldConnections(_lab.ClientNamespace);
        Assert.Equal(["s1", "s2", "s3"], held.First.Order());

        RefuseNewConnections(2, refuse: true);
        string quiesced = WaitForListing(l => Regex.IsMatch(l, @"10\.0\.0\.12:80 +Masq +0 "), TimeSpan.FromSeconds(15));
        Assert.Equal(Header + """
              -> 10.0.0.11:80                 Masq    1
              -> 10.0.0.12:80                 Masq    0
              -> 10.0.0.13:80                 Masq    1

            """, HttpServiceConfig.WithoutCounters(quiesced));
        Assert.Matches(@"10\.0\.0\.12:80 +Masq +0 +1 ", quiesced); // its held connection is still active
        Assert.DoesNotContain("s2", _lab.ServersAnswering(6));
        Assert.Equal(held.First, held.Ask()); // every held connection, s2's included, still answers

        RefuseNewConnections(2, refuse: false);
        WaitForListing(l => Regex.IsMatch(l, @"10\.0\.0\.12:80 +Masq +1 "), TimeSpan.FromSeconds(15));
        Assert.Contains("s2", _lab.ServersAnswering(6));
    }

    private string WaitForListing(Func<string, bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        string listing;
        while (!done(listing = _adm.Check("-L", "-n")))
        {
            if (clock.Elapsed > limit) Assert.Fail($"the table did not change within {limit.TotalSeconds} s:\n{listing}\n{_lab.DaemonLog}");
            Thread.Sleep(100);
        }
        return listing;
    }

    /// <summary>Ends realserver.py in real server <paramref name="i"/>'s namespace (the lab started it; only that process).</summary>
    private void StopHttpServer(int i)
    {
        string ns = _lab.RealServerNamespace(i);
        var pids = CommandLine.Check("ip", ["netns", "pids", ns], TimeSpan.FromSeconds(10)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)
            .Where(pid => File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("realserver.py"))
            .ToList();
        Assert.NotEmpty(pids);
        foreach (var pid in pids)
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(5_000);
        }
        _lab.Note($"stopped realserver.py in {ns} (pid {string.Join(", ", pids)})");
    }

    private void StartHttpServer(int i)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", _lab.RealServerNamespace(i), "/usr/bin/python3", Path.Combine(LabPaths.RepositoryRoot, "lab", "realserver.py"), $"s{i}", "80", "5353" })
            start.ArgumentList.Add(a);
        _restarted = Process.Start(start);
        _lab.Note($"started realserver.py in {_lab.RealServerNamespace(i)} (pid {_restarted?.Id})");
    }

    /// <summary>
    /// An nftables rule in real server <paramref name="i"/>'s namespace that answers every new TCP
    /// connection to port 80 with a reset (what a dead service looks like), while segments of
    /// established connections pass: the server fails its checks, its open connections go on.
    /// </summary>
    private void RefuseNewConnections(int i, bool refuse)
    {
        string ns = _lab.RealServerNamespace(i);
        string script = refuse
            ? "table inet nannylab {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 80 tcp flags & (syn | ack) == syn reject with tcp reset\n }\n}\n"
            : "delete table inet nannylab\n";
        CommandLine.Check("ip", ["netns", "exec", ns, "nft", "-f", "-"], TimeSpan.FromSeconds(10), script);
        _lab.Note(refuse ? $"{ns} refuses new connections to port 80" : $"{ns} accepts connections again");
    }
}
