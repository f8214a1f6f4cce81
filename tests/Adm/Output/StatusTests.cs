using UserLvs.Scheduling;

namespace UserLvs.Adm.Tests.Output;

/// <summary>
/// `userlvs-adm --status` (ours, not ipvsadm's): the failover role, the peer router, the sync daemon
/// in ipvsadm's words, and nanny's verdict per real server, all from one control request.
/// </summary>
public class StatusTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 1, 250, TimeSpan.Zero);

    [Fact]
    public void Status_OfAStandaloneRouter_SaysActiveWithNoPeerNoSyncAndNoChecks()
    {
        var adm = new AdmHarness();
        adm.Control.Status = new RouterStatus("standalone", "active", Noon, "started (heartbeat = 0: no backup router)", 0, null, null, []);
        var result = adm.Run("--status");
        Assert.Equal((0, ""), (result.Status, result.Err));
        Assert.Equal(
            "Role: active (standalone) since 2026-11-23 12:00:01.250 UTC, 0 transitions\n" +
            "  last change: started (heartbeat = 0: no backup router)\n" +
            "Peer: none\n" +
            "Sync: off\n" +
            "Real servers checked by nanny: none\n",
            result.Out);
        Assert.Equal("status", adm.Control.Requests[^1]);
    }

    [Fact]
    public void Status_OfABackupPair_ShowsThePeerTheRejectedMessagesTheSyncDaemonAndEveryCheckedServer()
    {
        var adm = new AdmHarness();
        var http = new ServiceKey(Protocol.Tcp, "192.0.2.10", 80);
        adm.Control.Status = new RouterStatus("backup", "active", Noon, "no heartbeat reply for 30 ms", 1,
            new PeerStatus("192.0.2.1", 0.0042, ["public", "private"], new Dictionary<string, long> { ["replayed"] = 2, ["forged"] = 5, ["malformed"] = 0 }),
            new SyncStatus("master", "priv0", 0, 120, 0, 1),
            [
                new RealServerStatus(http, "10.0.0.13", 80, "up", "ok", Noon),
                new RealServerStatus(http, "10.0.0.12", 80, "down", "connection refused", Noon.AddSeconds(65)),
            ]);
        Assert.Equal(
            "Role: active (backup) since 2026-11-23 12:00:01.250 UTC, 1 transition\n" +
            "  last change: no heartbeat reply for 30 ms\n" +
            "Peer: 192.0.2.1, last heard 0.004 s ago on public, private; rejected: forged=5, replayed=2\n" +
            "Sync: master sync daemon (mcast=priv0, syncid=0): 120 sent, 0 received, 1 dropped\n" +
            "Real servers checked by nanny:\n" +
            "Prot LocalAddress:Port     RemoteAddress:Port    State    Since                        Reason\n" +
            "TCP  192.0.2.10:80         10.0.0.13:80          up       2026-11-23 12:00:01.250 UTC  ok\n" +
            "TCP  192.0.2.10:80         10.0.0.12:80          down     2026-11-23 12:01:06.250 UTC  connection refused\n",
            adm.Run("--status").Out);
    }

    [Fact]
    public void ListDaemon_NamesTheRunningSyncDaemon_AsIpvsadmsListDaemon()
    {
        var adm = new AdmHarness();
        adm.Control.Status = new RouterStatus("primary", "active", Noon, "started", 0, null, new SyncStatus("master", "priv0", 7, 0, 0, 0), []);
        Assert.Equal((0, "master sync daemon (mcast=priv0, syncid=7)\n", ""), adm.Run("-L --daemon") is var r ? (r.Status, r.Out, r.Err) : default);
    }

    [Fact]
    public void ListDaemon_PrintsNothing_WhenNoSyncDaemonRuns()
    {
        var adm = new AdmHarness();
        Assert.Equal((0, "", ""), adm.Run("-L --daemon") is var r ? (r.Status, r.Out, r.Err) : default);
    }

    [Fact]
    public void Status_OfAPeerNeverHeard_SaysSo()
    {
        var adm = new AdmHarness();
        adm.Control.Status = new RouterStatus("primary", "backup", Noon, "started", 0,
            new PeerStatus("192.0.2.2", null, [], new Dictionary<string, long>()), null, []);
        Assert.Contains("Peer: 192.0.2.2, never heard; rejected: none\n", adm.Run("--status").Out);
    }
}
