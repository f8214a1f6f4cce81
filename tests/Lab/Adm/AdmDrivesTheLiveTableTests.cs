using System.Text.RegularExpressions;
using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Adm;

/// <summary>
/// userlvs-adm against the real userlvsd in the lab, as an operator uses ipvsadm against IPVS: every
/// command changes the table the router forwards with at once, and the listings print what ipvsadm
/// 1.31 prints for that table. The daemon starts from lvs.cf with s1 and s2 (so IPVS's list, newest
/// first, is s2 s1); `-a` puts s3 at the head (s3 s2 s1). Under wrr each round serves, in list order,
/// the servers whose weight reaches the current weight, which steps down from the largest by the gcd.
/// </summary>
public sealed class AdmDrivesTheLiveTableTests : IDisposable
{
    private const string Service = "192.0.2.10:80";
    private const string Header = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port Scheduler Flags
          -> RemoteAddress:Port           Forward Weight ActiveConn InActConn

        """;
    private readonly LvsLab _lab;
    private readonly UserLvsAdm _adm;

    public AdmDrivesTheLiveTableTests(ITestOutputHelper output)
    {
        _lab = LvsLab.Up(output);
        _adm = new UserLvsAdm(_lab.SocketPath);
    }

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void Adm_ListsAddsEditsDeletesSavesRestores_AndTrafficFollowsEachChange()
    {
        _lab.StartDaemon(HttpServiceConfig.Text("rr", (1, 1), (2, 1)));

        // The table from lvs.cf, as ipvsadm -L -n and -S -n print it.
        Assert.Equal(Header + """
            TCP  192.0.2.10:80 rr
              -> 10.0.0.11:80                 Masq    1      0          0         
              -> 10.0.0.12:80                 Masq    1      0          0         

            """, _adm.Check("-L", "-n"));
        Assert.Equal("""
            -A -t 192.0.2.10:80 -s rr
            -a -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 1
            -a -t 192.0.2.10:80 -r 10.0.0.12:80 -m -w 1

            """, _adm.Check("-S", "-n"));
        Assert.Equal(["s2", "s1", "s2", "s1"], _lab.ServersAnswering(4));

        // -a: s3 joins the rotation at once.
        Assert.Equal("", _adm.Check("-a", "-t", Service, "-r", "10.0.0.13:80", "-m", "-w", "1"));
        var afterAdd = _lab.ServersAnswering(6);
        Assert.True(Count(afterAdd, "s1") == 2 && Count(afterAdd, "s2") == 2 && Count(afterAdd, "s3") == 2, Seen(afterAdd));

        // -E to wrr, -e s3 to weight 3. ip_vs_wrr_dest_changed restarts the walk at the list head but
        // keeps the current weight (1, from the new wrr's all-ones table) unless it is 0 or above the
        // new maximum: one pass at 1 (s3 s2 s1), then cycles from 3 down: s3 | s3 | s3 s2 s1.
        Assert.Equal("", _adm.Check("-E", "-t", Service, "-s", "wrr"));
        Assert.Equal("", _adm.Check("-e", "-t", Service, "-r", "10.0.0.13:80", "-m", "-w", "3"));
        Assert.Equal(Header + """
            TCP  192.0.2.10:80 wrr
              -> 10.0.0.11:80                 Masq    1
              -> 10.0.0.12:80                 Masq    1
              -> 10.0.0.13:80                 Masq    3

            """, HttpServiceConfig.WithoutCounters(_adm.Check("-L", "-n")));
        var weighted = _lab.ServersAnswering(50);
        AssertSequence(["s3", "s2", "s1"], ["s3", "s3", "s3", "s2", "s1"], weighted);
        Assert.True(Count(weighted, "s3") == 30 && Count(weighted, "s2") == 10 && Count(weighted, "s1") == 10, Seen(weighted));

        // -d s1: it gets no new connection. The 50th pick left the current weight at 2, so over s3 s2
        // (3 1) the walk goes s3 | s3 s2, then cycles s3 | s3 | s3 s2.
        Assert.Equal("", _adm.Check("-d", "-t", Service, "-r", "10.0.0.11:80"));
        var afterDelete = _lab.Connections(20);
        var servers = afterDelete.Select(a => a.Server).ToList();
        AssertSequence(["s3", "s3", "s2"], ["s3", "s3", "s3", "s2"], servers);
        Assert.True(Count(servers, "s1") == 0 && Count(servers, "s3") == 15 && Count(servers, "s2") == 5, Seen(servers));

        // --stats: every connection so far was counted once (4 + 6 + 50 + 20), per server as it was served.
        var stats = _adm.Check("-L", "-n", "--stats");
        _lab.Note(stats);
        var lines = stats.Split('\n');
        Assert.Equal("IP Virtual Server version 1.2.1 (size=4096)", lines[0]);
        Assert.Equal("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes", lines[1]);
        Assert.Equal("  -> RemoteAddress:Port", lines[2]);
        AssertStats(lines[3], "TCP  192.0.2.10:80", 80);
        AssertStats(lines[4], "  -> 10.0.0.12:80", 2 + 2 + 10 + 5);
        AssertStats(lines[5], "  -> 10.0.0.13:80", 2 + 30 + 15);
        Assert.Equal([""], lines[6..]);

        // -L -c: each of the last connections is listed from its client port to the server that answered.
        var connections = _adm.Check("-L", "-c", "-n");
        var rows = connections.Split('\n');
        Assert.Equal("IPVS connection entries", rows[0]);
        Assert.Equal("pro expire state       source             virtual            destination", rows[1]);
        foreach (var answer in afterDelete)
        {
            string server = $"10.0.0.{10 + int.Parse(answer.Server[1..])}:80";
            var row = rows.SingleOrDefault(r => Regex.IsMatch(r, $@"^TCP \d\d:\d\d  [A-Z_]+ +{Regex.Escape($"{LvsLab.ClientAddress}:{answer.LocalPort}")} +192\.0\.2\.10:80 +(\S+)$"));
            Assert.True(row is not null, $"no connection from port {answer.LocalPort} in:\n{connections}");
            Assert.EndsWith(" " + server, row);
        }

        // -S, -C, -R: the saved rules rebuild the same table, and the router forwards by it.
        string before = _adm.Check("-L", "-n");
        string saved = _adm.Check("-S", "-n");
        Assert.Equal("""
            -A -t 192.0.2.10:80 -s wrr
            -a -t 192.0.2.10:80 -r 10.0.0.12:80 -m -w 1
            -a -t 192.0.2.10:80 -r 10.0.0.13:80 -m -w 3

            """, saved);
        Assert.Equal("", _adm.Check("-C"));
        Assert.Equal(Header, _adm.Check("-L", "-n"));
        Assert.Equal("", _adm.CheckWithInput(saved, "-R"));
        string after = _adm.Check("-L", "-n");
        _lab.Note($"before -C:\n{before}\nafter -R:\n{after}");
        Assert.Equal(HttpServiceConfig.WithoutCounters(before), HttpServiceConfig.WithoutCounters(after));
        // -R built a new wrr (current weight 0, no servers); adding s2 (1) set it to 1, adding s3 (3)
        // kept it: one pass at 1 (s3 s2), then s3 | s3 | s3 s2.
        AssertSequence(["s3", "s2"], ["s3", "s3", "s3", "s2"], _lab.ServersAnswering(8));
    }

    [LabFact]
    public void Adm_FailedCommands_PrintIpvsadmErrors_AndLeaveTheTable()
    {
        _lab.StartDaemon(HttpServiceConfig.Text("rr", (1, 1), (2, 1)));
        string before = _adm.Check("-L", "-n");

        var exists = _adm.Run("-a", "-t", Service, "-r", "10.0.0.11:80", "-m", "-w", "1");
        var noService = _adm.Run("-a", "-t", "192.0.2.10:81", "-r", "10.0.0.11:80", "-m");
        var noDestination = _adm.Run("-d", "-t", Service, "-r", "10.0.0.13:80");
        var noScheduler = _adm.Run("-E", "-t", Service, "-s", "nosuch");

        Assert.Equal((255, "", "Destination already exists\n"), (exists.ExitCode, exists.StandardOutput, exists.StandardError));
        Assert.Equal((255, "", "Service not defined\n"), (noService.ExitCode, noService.StandardOutput, noService.StandardError));
        Assert.Equal((255, "", "No such destination\n"), (noDestination.ExitCode, noDestination.StandardOutput, noDestination.StandardError));
        Assert.Equal((255, "", "Scheduler or persistence engine not found\n"), (noScheduler.ExitCode, noScheduler.StandardOutput, noScheduler.StandardError));
        Assert.Equal(before, _adm.Check("-L", "-n"));
        Assert.Equal(["s2", "s1"], _lab.ServersAnswering(2));
    }

    [LabFact]
    public void SaveClearRestore_WithConnectionsAlive_ListsTheSameTable()
    {
        _lab.StartDaemon(HttpServiceConfig.Text("rr", (1, 1), (2, 1)));
        Assert.Equal(6, _lab.ServersAnswering(6).Count); // six connections, each in TIME_WAIT for 2 minutes
        string before = _adm.Check("-L", "-n");
        Assert.Equal(Header + """
            TCP  192.0.2.10:80 rr
              -> 10.0.0.11:80                 Masq    1      0          3         
              -> 10.0.0.12:80                 Masq    1      0          3         

            """, before);

        string saved = _adm.Check("-S", "-n");
        Assert.Equal("", _adm.Check("-C"));
        Assert.Equal("", _adm.CheckWithInput(saved, "-R"));

        Assert.Equal(before, _adm.Check("-L", "-n"));
    }

    /// <summary>A --stats line: the name, the exact connection count, and non-zero packet and byte counters.</summary>
    private static void AssertStats(string line, string name, int connections)
    {
        var match = Regex.Match(line, @"^(?<name>.{33})(?<numbers>( +\d+[KMGT]?){5})$");
        Assert.True(match.Success, $"not a --stats line: '{line}'");
        Assert.Equal(name, match.Groups["name"].Value.TrimEnd());
        var numbers = match.Groups["numbers"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(connections.ToString(), numbers[0]);
        Assert.All(numbers[1..], n => Assert.NotEqual("0", n));
    }

    /// <summary>The servers that answered were <paramref name="first"/>, then <paramref name="cycle"/> over and over.</summary>
    private static void AssertSequence(string[] first, string[] cycle, IReadOnlyList<string> servers)
    {
        for (int i = 0; i < servers.Count; i++)
        {
            string expected = i < first.Length ? first[i] : cycle[(i - first.Length) % cycle.Length];
            Assert.True(servers[i] == expected, $"connection {i + 1}: {servers[i]}, expected {expected}; {Seen(servers)}");
        }
    }

    private static int Count(IEnumerable<string> servers, string server) => servers.Count(s => s == server);

    private static string Seen(IEnumerable<string> servers) => "answered by: " + string.Join(' ', servers);
}
