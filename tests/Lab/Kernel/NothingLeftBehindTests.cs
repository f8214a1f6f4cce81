using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Kernel;

/// <summary>
/// Stopping leaves the router as it was: SIGTERM makes userlvsd exit 0 after removing its nftables
/// table netdev userlvsd, with no process of it left in the router; taking the topology down leaves
/// no namespace carrying the test's prefix and no real server process.
/// </summary>
public sealed class NothingLeftBehindTests : IDisposable
{
    private readonly LvsLab _lab;

    public NothingLeftBehindTests(ITestOutputHelper output) => _lab = LvsLab.Up(output);

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void AfterSigtermAndTopologyDown_NoTableNoProcessNoNamespaceRemain()
    {
        var daemon = _lab.StartDaemon(LabConfig.Text("rr"));
        Assert.Equal(["s3"], _lab.ServersAnswering(1)); // it really forwarded before it stops
        Assert.Equal(0, ListGuardTable().ExitCode);
        Assert.Equal([daemon.Id], ProcessesIn(_lab.RouterNamespace));
        var realServers = Enumerable.Range(1, 3).SelectMany(i => ProcessesIn(_lab.RealServerNamespace(i))).ToList();
        Assert.Equal(3, realServers.Count);

        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(15)));

        Assert.True(daemon.LogContains("stopping") && daemon.LogContains("frames:"), _lab.DaemonLog);
        var table = ListGuardTable();
        Assert.True(table.ExitCode != 0, $"table netdev userlvsd is still in the router:\n{table}");
        Assert.Empty(ProcessesIn(_lab.RouterNamespace));
        Assert.False(Directory.Exists($"/proc/{daemon.Id}"), $"process {daemon.Id} still exists");

        _lab.Down();

        var namespaces = CommandLine.Check("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith(_lab.Prefix + "-", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(namespaces);
        foreach (int pid in realServers)
            Assert.True(WaitUntilGone(pid, TimeSpan.FromSeconds(5)), $"real server process {pid} outlived the topology");
    }

    private CommandResult ListGuardTable() =>
        _lab.InNamespace(_lab.RouterNamespace, TimeSpan.FromSeconds(10), "nft", "list", "table", "netdev", "userlvsd");

    private static List<int> ProcessesIn(string ns) =>
        CommandLine.Check("ip", ["netns", "pids", ns], TimeSpan.FromSeconds(10)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(int.Parse)
            .ToList();

    private static bool WaitUntilGone(int pid, TimeSpan limit)
    {
        // A killed process may linger a moment as a zombie of the shell that started it.
        for (var end = DateTime.UtcNow + limit; DateTime.UtcNow < end; Thread.Sleep(50))
            if (!Directory.Exists($"/proc/{pid}") || IsZombie(pid)) return true;
        return false;
    }

    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1].StartsWith('Z'); }
        catch (IOException) { return true; }
    }
}
