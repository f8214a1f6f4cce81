using System.Diagnostics;
using UserLvs.Failover;
using UserLvs.Failover.Protocol;
using UserLvs.Lab.Tests.Infrastructure;
using UserLvs.Scheduling;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Failover;

/// <summary>
/// pulse between two real userlvsd processes sharing the VIP and the NAT router address (issue 6's
/// drill): the primary forwards, the backup heartbeats it every 10 ms (deadtime 30 ms) and holds the
/// connections it is synced. A primary killed with -9 and cut off is replaced, and no established
/// connection notices the takeover nor the primary's return; forged and replayed messages from a
/// third host change nothing. The outage target (50 ms) is measured by lab/failover.sh and recorded
/// in bench/RESULTS.md; here a takeover must happen at all, within a bound no hang could meet.
/// </summary>
public sealed class RouterPairFailoverTests : IDisposable
{
    private static readonly TimeSpan RoleLimit = TimeSpan.FromSeconds(10);
    private readonly RouterPairLab _lab;
    private readonly string _config;

    public RouterPairFailoverTests(ITestOutputHelper output)
    {
        _lab = RouterPairLab.Up(output);
        // Relaxed timing: on a loaded 2-core box a 30 ms deadtime may see a starved but living peer as
        // dead. lab/failover.sh measures the 10 ms / 30 ms setting.
        _config = PairConfig.Text(_lab.KeyPath, keepalive: 0.05, deadtime: 0.3);
    }

    public void Dispose() => _lab.Dispose();

    /// <summary>The primary first (it becomes active alone), then the backup (it stands by and gets the table).</summary>
    private void StartPair()
    {
        _lab.StartRouter(0, _config);
        _lab.WaitForRole(0, "active", RoleLimit);
        _lab.StartRouter(1, _config);
        _lab.WaitForRole(1, "backup", RoleLimit);
        Assert.NotNull(_lab.Request());
    }

    private void KillPrimary()
    {
        _lab.Daemon(0)!.KillHard();
        // Nothing of the floating addresses was ever the kernel's, so nothing keeps answering for them.
        string addresses = CommandLine.Check("ip", ["-n", _lab.RouterNamespace(0), "-4", "addr"], TimeSpan.FromSeconds(10)).StandardOutput;
        Assert.DoesNotContain(RouterPairLab.Vip + "/", addresses);
        Assert.DoesNotContain("10.0.0.1/", addresses);
        _lab.SetRouterLinks(0, up: false);
        _lab.Note("primary killed with -9, its links down");
    }

    [LabFact]
    public void ActiveRouterKilled_TheBackupTakesOver_AndNewConnectionsWorkAgainAfterAShortOutage()
    {
        StartPair();
        using var probes = ClientTraffic.Probes(_lab, seconds: 4);
        Thread.Sleep(1500);
        KillPrimary();

        var (outage, answered) = probes.Outage(TimeSpan.FromSeconds(15));
        _lab.Note($"client outage {outage:F1} ms, {answered} of ~4000 new connections answered");
        string status = _lab.WaitForRole(1, "active", RoleLimit);
        _lab.Note(status);
        Assert.Contains("last change: no answer from the peer for deadtime", status);
        Assert.InRange(outage, 1, 1000);
        Assert.True(answered > 3000, $"only {answered} probes answered\n{_lab.Logs}");

        var servers = Enumerable.Range(0, 3).Select(_ => _lab.Request()).ToList();
        Assert.Equal(["s1", "s2", "s3"], servers.Order());   // rr over all three through the new active router
    }

    [LabFact]
    public void EstablishedDownload_SurvivesTheTakeover_AndThePrimarysReturn_ByteIdentical()
    {
        StartPair();
        using var download = ClientTraffic.Download(_lab, megabytes: 16);   // ~8 s at 2 MiB/s
        Thread.Sleep(1500);
        KillPrimary();
        _lab.WaitForRole(1, "active", RoleLimit);
        Thread.Sleep(500);

        _lab.SetRouterLinks(0, up: true);
        _lab.StartRouter(0, _config);
        string primary = _lab.WaitForRole(0, "active", RoleLimit);   // after failback_delay (1 s with sync)
        _lab.Note(primary);
        Assert.Contains("failback", primary);
        _lab.WaitForRole(1, "backup", RoleLimit);

        Assert.Equal(Convert.ToHexString(RealServerContent.BigSha256(16)), download.Sha256(TimeSpan.FromSeconds(60)), ignoreCase: true);
    }

    [LabFact]
    public void ForgedAndReplayedPulseMessages_FromAThirdHost_ChangeNoRole()
    {
        StartPair();
        string authentic = CaptureFromPrimary();
        string primaryBefore = _lab.WaitForRole(0, "active", RoleLimit);

        // Sent from the client, a third host on the public segment, 20 times each.
        var wrongKey = "not the key"u8.ToArray();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string shutdownToPrimary = Encode(wrongKey, PulseMessageType.Shutdown, RouterRole.Active, PulseFlags.ForceActive, "192.0.2.2", now);
        string takeoverToBackup = Encode(wrongKey, PulseMessageType.TakeoverRequest, RouterRole.Backup, PulseFlags.Primary | PulseFlags.ForceActive, "192.0.2.1", now);
        string garbage = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(80));
        Send("192.0.2.1", shutdownToPrimary);
        Send("192.0.2.2", takeoverToBackup);
        Send("192.0.2.1", garbage);
        Send("192.0.2.2", authentic);   // a replay of the primary's own message
        Thread.Sleep(300);

        string primary = _lab.WaitForRole(0, "active", RoleLimit);
        string backup = _lab.WaitForRole(1, "backup", RoleLimit);
        _lab.Note(primary + backup);
        Assert.Equal(Line(primaryBefore, "Role:"), Line(primary, "Role:"));   // same role, same time, same transition count
        Assert.Contains("bad_mac=", Line(primary, "Peer:"));
        Assert.Contains("bad_mac=", Line(backup, "Peer:"));
        Assert.Contains("replayed=", Line(backup, "Peer:"));
        Assert.Contains("0 transitions", Line(backup, "Role:"));
        Assert.NotNull(_lab.Request());
    }

    private static string Line(string status, string prefix) =>
        status.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) ?? $"(no {prefix} line in)\n{status}";

    private static string Encode(byte[] key, PulseMessageType type, RouterRole state, PulseFlags flags, string sender, long nowMs)
    {
        var buffer = new byte[PulseWireFormat.MaxDatagram];
        var header = new PulseHeader(type, state, flags, IPv4Address.Parse(sender), 0x5EED, 1, nowMs);
        return Convert.ToHexString(buffer, 0, new PulseCodec(key).Encode(header, [], buffer));
    }

    private void Send(string router, string hex)
    {
        const string script = "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
            "for _ in range(20): s.sendto(bytes.fromhex(sys.argv[1]),(sys.argv[2],539))";
        var result = _lab.InNamespace(_lab.ClientNamespace, TimeSpan.FromSeconds(10), "/usr/bin/python3", "-c", script, hex, router);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>One authentic pulse datagram of the primary, sniffed on the backup's public device.</summary>
    private string CaptureFromPrimary()
    {
        const string script =
            "import socket,time\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW,socket.htons(0x0800))\ns.settimeout(0.5)\n" +
            "end=time.time()+5\nwhile time.time()<end:\n" +
            "  try: d,a=s.recvfrom(65535)\n  except socket.timeout: continue\n" +
            "  if a[0]!='pub0' or len(d)<42 or d[23]!=17 or d[26:30]!=bytes([192,0,2,1]): continue\n" +
            "  ihl=(d[14]&15)*4\n  if int.from_bytes(d[14+ihl:16+ihl],'big')!=539: continue\n" +
            "  print(d[14+ihl+8:].hex()); break\n";
        var result = _lab.InNamespace(_lab.RouterNamespace(1), TimeSpan.FromSeconds(15), "/usr/bin/python3", "-c", script);
        string hex = result.StandardOutput.Trim();
        Assert.True(hex.Length > 0, $"no pulse datagram from the primary seen: {result}");
        return hex;
    }
}
