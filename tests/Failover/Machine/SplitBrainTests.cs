using UserLvs.Failover.Tests.Fakes;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>
/// A partition makes both routers active (the fence cannot reach). When it heals, the router with the
/// lesser right stands down (T12) and the other re-announces its addresses (T13, T14).
/// </summary>
public class SplitBrainTests
{
    private static (RouterPair Pair, int Mark) PartitionedBothActive(bool backupForce = false)
    {
        var pair = new RouterPair(backupForce: backupForce);
        pair.StartBoth();
        pair.Run(TimeSpan.FromMilliseconds(100));
        pair.Wire.CutAll("A");
        pair.Wire.CutAll("B");
        pair.Run(TimeSpan.FromMilliseconds(200));
        Assert.Equal(RouterRole.Active, pair.A.Machine.Role);
        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);
        int mark = pair.Timeline.Count;
        pair.Wire.Heal();
        return (pair, mark);
    }

    [Fact]
    public void Heals_BackupStandsDown_PrimaryReannounces()
    {
        var (pair, mark) = PartitionedBothActive();
        pair.Run(TimeSpan.FromMilliseconds(100));

        Assert.Equal(
        [
            "B: BecomeStandby",
            "B: inactive_cmd",
            "B: Active -> Backup (split brain: the peer is active too and has the better right)",
            "B: send Release public",
            "B: send Release private",
            "A: Reannounce",
        ], pair.TimelineSince(mark));
        Assert.Equal(RouterRole.Active, pair.A.Machine.Role);
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);
    }

    [Fact]
    public void Heals_ForcedBackupWins_PrimaryStandsDown()
    {
        var (pair, mark) = PartitionedBothActive(backupForce: true);
        pair.Run(TimeSpan.FromMilliseconds(100));

        Assert.Equal(
        [
            "A: BecomeStandby",
            "A: inactive_cmd",
            "A: Active -> Backup (split brain: the peer is active too and has the better right)",
            "A: send Release public",
            "A: send Release private",
            "B: Reannounce",
        ], pair.TimelineSince(mark));
    }

    [Fact]
    public void AfterHealing_StaysStableForASecond()
    {
        var (pair, _) = PartitionedBothActive();
        pair.Run(TimeSpan.FromMilliseconds(100));
        int mark = pair.Timeline.Count;
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Empty(pair.TimelineSince(mark));
        Assert.Equal(0, pair.A.Machine.Status.Dropped + pair.B.Machine.Status.Dropped);
    }
}
