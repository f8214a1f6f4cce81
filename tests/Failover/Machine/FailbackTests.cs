using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>
/// The primary returns while the backup is active (T6, T7, T8, T10): the backup stops forwarding and
/// says so before the primary starts, so no moment has two routers forwarding.
/// </summary>
public class FailbackTests
{
    /// <summary>A crashed and B took over; A comes back as a new process.</summary>
    private static (RouterPair Pair, int Mark) BackupActivePrimaryReturns(bool backupForce = false, bool primaryForce = false,
        TimeSpan failbackDelay = default)
    {
        var pair = new RouterPair(backupForce: backupForce);
        pair.A.Crashed = true;
        pair.B.Machine.Start();
        pair.Run(TimeSpan.FromMilliseconds(100));
        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);
        int mark = pair.Timeline.Count;
        pair.RestartPrimary(primaryForce, failbackDelay);
        return (pair, mark);
    }

    [Fact]
    public void PrimaryReturns_WithAFailbackDelay_StaysBackupThatLong_ThenTakesOverInOrder()
    {
        // The delay lets the active backup's connection sync fill the returning primary first.
        var (pair, mark) = BackupActivePrimaryReturns(failbackDelay: TimeSpan.FromMilliseconds(500));

        pair.Run(TimeSpan.FromMilliseconds(490));
        Assert.DoesNotContain(pair.TimelineSince(mark), e => e.Contains("TakeoverRequest"));
        Assert.Equal((RouterRole.Backup, RouterRole.Active), (pair.A.Machine.Role, pair.B.Machine.Role));

        var took = pair.RunUntil(() => pair.A.Machine.Role == RouterRole.Active, TimeSpan.FromMilliseconds(100));
        var timeline = pair.TimelineSince(mark);
        Assert.True(Array.IndexOf(timeline, "B: BecomeStandby") < Array.IndexOf(timeline, "A: BecomeActive"));
        Assert.Equal(1, TimelineAssert.MostActiveAtOnce(timeline, "B"));
        Assert.InRange(took, TimeSpan.Zero, TimeSpan.FromMilliseconds(30));
    }

    [Fact]
    public void TheFailbackDelay_CountsFromFirstHearingTheActivePeer_NotFromStart()
    {
        // The primary's link carries nothing from the backup for its first 20 ms (less than deadtime):
        // the backup's connection table must still get the whole delay to arrive.
        var pair = new RouterPair();
        pair.A.Crashed = true;
        pair.B.Machine.Start();
        pair.Run(TimeSpan.FromMilliseconds(100));
        pair.Wire.CutAll("B");
        int mark = pair.Timeline.Count;
        pair.RestartPrimary(failbackDelay: TimeSpan.FromMilliseconds(50));
        pair.Run(TimeSpan.FromMilliseconds(20));
        pair.Wire.Heal();

        pair.Run(TimeSpan.FromMilliseconds(45));   // 65 ms after start, 45 after first hearing B
        Assert.DoesNotContain(pair.TimelineSince(mark), e => e.Contains("TakeoverRequest"));
        Assert.Equal((RouterRole.Backup, RouterRole.Active), (pair.A.Machine.Role, pair.B.Machine.Role));

        pair.RunUntil(() => pair.A.Machine.Role == RouterRole.Active, TimeSpan.FromMilliseconds(40));
        Assert.Contains(pair.TimelineSince(mark), e => e.Contains("TakeoverRequest"));
    }

    [Fact]
    public void PrimaryReturns_BackupReleasesFirst_ThenPrimaryBecomesActive()
    {
        var (pair, mark) = BackupActivePrimaryReturns();
        pair.Run(TimeSpan.FromMilliseconds(200));

        Assert.Equal(
        [
            "A: send TakeoverRequest public",
            "A: send TakeoverRequest private",
            "B: BecomeStandby",
            "B: inactive_cmd",
            "B: Active -> Backup (failback: the peer has the better right and asked to take over)",
            "B: send Release public",
            "B: send Release private",
            "B: send Release private", // the second request (private) is answered on its network too
            "A: BecomeActive",
            "A: active_cmd",
            "A: Backup -> Active (failback: the peer released)",
        ], pair.TimelineSince(mark));
        Assert.Equal(1, TimelineAssert.MostActiveAtOnce(pair.TimelineSince(mark), "B"));
    }

    [Fact]
    public void ReleaseLost_PrimaryStartsOnTheBackupsNextHeartbeat_StillNeverBothActive()
    {
        var (pair, mark) = BackupActivePrimaryReturns();
        pair.Wire.DropWhen = (from, _, type) => type == PulseMessageType.Release;

        pair.RunUntil(() => pair.A.Machine.Role == RouterRole.Active, TimeSpan.FromMilliseconds(100));

        var timeline = pair.TimelineSince(mark);
        Assert.True(Array.IndexOf(timeline, "B: BecomeStandby") < Array.IndexOf(timeline, "A: BecomeActive"));
        Assert.Equal("A: Backup -> Active (failback: the peer released)", timeline[^1]);
        Assert.Equal(1, TimelineAssert.MostActiveAtOnce(timeline, "B"));
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);
    }

    [Fact]
    public void RequestsLost_FailbackGivesUpAfterTheTimeout_RetriesLater_BackupKeepsForwarding()
    {
        var (pair, mark) = BackupActivePrimaryReturns();
        pair.Wire.DropWhen = (from, _, type) => type == PulseMessageType.TakeoverRequest;

        pair.Run(TimeSpan.FromMilliseconds(35));
        var status = pair.A.Machine.Status;
        Assert.Equal(1, status.FailbackTimeouts);
        Assert.False(status.AwaitingRelease);
        Assert.Equal(RouterRole.Backup, status.Role);
        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);

        pair.Wire.DropWhen = null;
        pair.RunUntil(() => pair.A.Machine.Role == RouterRole.Active, TimeSpan.FromMilliseconds(200));

        var timeline = pair.TimelineSince(mark);
        Assert.Equal(2, timeline.Count(l => l == "A: send TakeoverRequest public"));
        Assert.Equal(1, TimelineAssert.MostActiveAtOnce(timeline, "B"));
    }

    [Fact]
    public void BackupWithForceActive_KeepsForwarding_WhenThePrimaryReturns()
    {
        var (pair, mark) = BackupActivePrimaryReturns(backupForce: true);
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Empty(pair.TimelineSince(mark));
        Assert.Equal(RouterRole.Backup, pair.A.Machine.Role);
        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);
    }

    [Fact]
    public void PrimaryWithForceActive_TakesOverFromAForcedBackup()
    {
        var (pair, mark) = BackupActivePrimaryReturns(backupForce: true, primaryForce: true);
        pair.Run(TimeSpan.FromMilliseconds(100));

        var timeline = pair.TimelineSince(mark);
        Assert.Equal("A: send TakeoverRequest public", timeline[0]);
        Assert.Equal(RouterRole.Active, pair.A.Machine.Role);
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);
        Assert.Equal(1, TimelineAssert.MostActiveAtOnce(timeline, "B"));
    }
}
