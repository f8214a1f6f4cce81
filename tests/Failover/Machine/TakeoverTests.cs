using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>The backup fences and takes over after deadtime without an answer (T4), and only then (T2, T3).</summary>
public class TakeoverTests
{
    private static RouterPair Steady(bool privateNetwork = true)
    {
        var pair = new RouterPair(privateNetwork: privateNetwork);
        pair.StartBoth();
        pair.Run(TimeSpan.FromMilliseconds(100));
        Assert.Equal(RouterRole.Active, pair.A.Machine.Role);
        return pair;
    }

    [Fact]
    public void PrimaryDies_BackupFencesOverBothNetworks_ThenBecomesActive()
    {
        var pair = Steady();
        int mark = pair.Timeline.Count;
        pair.A.Crashed = true;

        pair.RunUntil(() => pair.B.Machine.Role == RouterRole.Active, TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            "B: send Shutdown public",
            "B: send Shutdown private",
            "B: BecomeActive",
            "B: active_cmd",
            "B: Backup -> Active (no answer from the peer for deadtime)",
        ], pair.TimelineSince(mark));
        var status = pair.B.Machine.Status;
        Assert.Equal(TimeSpan.FromMilliseconds(31), status.LastTransitionAt - status.PeerLastHeard);
    }

    [Fact]
    public void TwoLostHeartbeatRounds_BelowDeadtime_NoTakeover()
    {
        var pair = Steady();
        int mark = pair.Timeline.Count;
        // Elapsed is 100 ms: the round at 100 ms was just answered. Rounds at 110 and 120 ms are lost,
        // the one at 130 ms arrives: 30 ms of silence, not more.
        pair.Wire.CutAll("A");
        pair.Run(TimeSpan.FromMilliseconds(25));
        pair.Wire.Heal();
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Empty(pair.TimelineSince(mark));
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);
    }

    [Fact]
    public void ThreeLostHeartbeatRounds_AboveDeadtime_Takeover()
    {
        var pair = Steady();
        pair.Wire.CutAll("A");
        pair.Run(TimeSpan.FromMilliseconds(35));

        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);
        Assert.Equal(TimeSpan.FromMilliseconds(131), pair.B.Machine.Status.LastTransitionAt - pair.Time.Start);
    }

    [Theory]
    [InlineData(PulseNetwork.Public)]
    [InlineData(PulseNetwork.Private)]
    public void AnswersOnEitherNetwork_AreEnough(PulseNetwork lost)
    {
        var pair = Steady();
        int mark = pair.Timeline.Count;
        pair.Wire.Cut("A", lost);
        pair.Wire.Cut("B", lost);
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Empty(pair.TimelineSince(mark));
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);
    }

    [Fact]
    public void BothNetworksLost_Takeover()
    {
        var pair = Steady();
        pair.Wire.Cut("A", PulseNetwork.Public);
        pair.Run(TimeSpan.FromMilliseconds(200));
        Assert.Equal(RouterRole.Backup, pair.B.Machine.Role);

        pair.Wire.Cut("A", PulseNetwork.Private);
        pair.Run(TimeSpan.FromMilliseconds(40));
        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);
    }

    [Fact]
    public void WithoutPrivateNetwork_PublicOnly_HeartbeatsAndFencing()
    {
        var pair = Steady(privateNetwork: false);
        int mark = pair.Timeline.Count;
        pair.Wire.Cut("A", PulseNetwork.Public);
        pair.Run(TimeSpan.FromMilliseconds(40));

        Assert.Equal(
        [
            "B: send Shutdown public",
            "B: BecomeActive",
            "B: active_cmd",
            "B: Backup -> Active (no answer from the peer for deadtime)",
            "A: BecomeStandby", // B -> A still works: the fence is heard
            "A: inactive_cmd",
            "A: Active -> Shutdown (shut down by the peer (fenced))",
        ], pair.TimelineSince(mark));
    }

    [Fact]
    public void LateAnswer_AfterTakeover_OldActiveIsFencedAgain_NewActiveReannounces()
    {
        var pair = Steady();
        int mark = pair.Timeline.Count;
        pair.Wire.Hold("A"); // A's answers are delayed, not lost
        pair.RunUntil(() => pair.B.Machine.Role == RouterRole.Active, TimeSpan.FromSeconds(1));
        pair.Run(TimeSpan.FromMilliseconds(20));
        pair.Wire.Release("A");
        pair.Run(TimeSpan.FromMilliseconds(100));

        Assert.Equal(
        [
            "B: send Shutdown public",
            "B: send Shutdown private",
            "B: BecomeActive",
            "B: active_cmd",
            "B: Backup -> Active (no answer from the peer for deadtime)",
            // A is alive and hears the fence at once
            "A: BecomeStandby",
            "A: inactive_cmd",
            "A: Active -> Shutdown (shut down by the peer (fenced))",
            // 20 ms later A's delayed answers arrive; those sent before the fence say "active": B fences again, once ...
            "B: send Shutdown public",
            "B: send Shutdown private",
            // ... then A's later messages say "shutdown": B re-announces the floating addresses
            "B: Reannounce",
        ], pair.TimelineSince(mark));
        Assert.Equal(RouterRole.Shutdown, pair.A.Machine.Role);
        Assert.Equal(RouterRole.Active, pair.B.Machine.Role);
    }
}
