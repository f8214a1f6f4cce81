using UserLvs.Failover.Tests.Fakes;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>Who becomes active when routers start (T1, T4, T5), with keepalive 0.01 and deadtime 0.03.</summary>
public class StartupTests
{
    [Fact]
    public void PrimaryAlone_FencesAndBecomesActive_OneMillisecondPastDeadtime()
    {
        var pair = new RouterPair();
        pair.B.Crashed = true;
        pair.A.Machine.Start();

        pair.Run(TimeSpan.FromMilliseconds(30));
        Assert.Equal(RouterRole.Backup, pair.A.Machine.Role);
        Assert.Empty(pair.Timeline);

        pair.Step();
        Assert.Equal(RouterRole.Active, pair.A.Machine.Role);
        Assert.Equal(
        [
            "A: send Shutdown public",
            "A: send Shutdown private",
            "A: BecomeActive",
            "A: active_cmd",
            "A: Backup -> Active (no answer from the peer for deadtime)",
        ], pair.Timeline);
    }

    [Fact]
    public void BackupAlone_TakesOverTheSameWay()
    {
        var pair = new RouterPair();
        pair.A.Crashed = true;
        pair.B.Machine.Start();

        var took = pair.RunUntil(() => pair.B.Machine.Role == RouterRole.Active, TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromMilliseconds(31), took);
        Assert.Equal(
        [
            "B: send Shutdown public",
            "B: send Shutdown private",
            "B: BecomeActive",
            "B: active_cmd",
            "B: Backup -> Active (no answer from the peer for deadtime)",
        ], pair.Timeline);
    }

    [Fact]
    public void BothStart_PrimaryActiveAsSoonAsItHearsTheBackup_BackupWatches()
    {
        var pair = new RouterPair();
        pair.StartBoth();

        var took = pair.RunUntil(() => pair.A.Machine.Role == RouterRole.Active, TimeSpan.FromSeconds(1));
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromMilliseconds(1), took);
        Assert.Equal(
        [
            "A: BecomeActive",
            "A: active_cmd",
            "A: Backup -> Active (the peer is standby and this router has the better right)",
        ], pair.Timeline);
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);
        // one heartbeat per network every 10 ms, each answered: 101 rounds in 1.001 s, on two networks
        Assert.Equal(202, pair.B.HeartbeatsSent);
        Assert.Equal(202, pair.A.RepliesSent);
        Assert.Equal(0, pair.B.Machine.Status.Dropped);
    }

    [Fact]
    public void BackupWithForceActive_StartsActive_PrimaryWatches()
    {
        var pair = new RouterPair(backupForce: true);
        pair.StartBoth();
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(RouterRole.Backup, pair.A.Machine.Role);
        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);
        Assert.Equal(
        [
            "B: BecomeActive",
            "B: active_cmd",
            "B: Backup -> Active (the peer is standby and this router has the better right)",
        ], pair.Timeline);
    }

    [Fact]
    public void BothWithForceActive_PrimaryWins()
    {
        var pair = new RouterPair(primaryForce: true, backupForce: true);
        pair.StartBoth();
        pair.Run(TimeSpan.FromMilliseconds(500));

        Assert.Equal(RouterRole.Active, pair.A.Machine.Role);
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);
    }
}
