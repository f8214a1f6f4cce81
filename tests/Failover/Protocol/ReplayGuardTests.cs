using UserLvs.Failover.Protocol;

namespace UserLvs.Failover.Tests.Protocol;

public class ReplayGuardTests
{
    private const long Now = 1_750_000_000_000;
    private readonly ReplayGuard guard = new(TimeSpan.FromSeconds(2));

    private PulseDropReason? Check(ulong boot, ulong seq, long ts = Now, PulseNetwork network = PulseNetwork.Public) =>
        guard.Check(network, boot, seq, ts, Now, out _, out var reason) ? null : reason;

    [Fact]
    public void SameSequenceTwice_SecondIsReplayed()
    {
        Assert.Null(Check(1, 5));
        Assert.Equal(PulseDropReason.Replayed, Check(1, 5));
    }

    [Fact]
    public void OlderSequence_Replayed_HigherAccepted()
    {
        Assert.Null(Check(1, 5));
        Assert.Equal(PulseDropReason.Replayed, Check(1, 4));
        Assert.Null(Check(1, 6));
    }

    [Fact]
    public void Networks_AreTrackedApart_ButOnlyTheNewestAcrossBothCountsAsNewest()
    {
        Assert.True(guard.Check(PulseNetwork.Private, 1, 11, Now, Now, out bool newest, out _));
        Assert.True(newest);
        // seq 10 went out on the public network first but arrives second: accepted, yet not newest.
        Assert.True(guard.Check(PulseNetwork.Public, 1, 10, Now, Now, out newest, out _));
        Assert.False(newest);
        Assert.Equal(PulseDropReason.Replayed, Check(1, 10));
    }

    [Fact]
    public void NewBoot_WithFreshTimestamp_Accepted_EvenAtALowerSequence()
    {
        Assert.Null(Check(1, 500, ts: Now - 1_999));
        Assert.Null(Check(2, 1, ts: Now - 1_998));
        Assert.Equal(2ul, guard.CurrentBoot);
    }

    [Fact]
    public void ABootTwoRestartsOld_ReplayedWhileStillFresh_IsRefused_TheLiveBootGoesOn()
    {
        // The peer restarted twice within the window (boots 1, 2, 3); an attacker replays boot 1.
        Assert.Null(Check(1, 7, ts: Now - 1_500));
        Assert.Null(Check(2, 3, ts: Now - 1_000));
        Assert.Null(Check(3, 2, ts: Now - 10));
        Assert.Equal(PulseDropReason.StaleBoot, Check(1, 8, ts: Now - 1_400));
        Assert.Equal(3ul, guard.CurrentBoot);
        Assert.Null(Check(3, 3, ts: Now));
    }

    [Fact]
    public void APeerWhoseClockSteppedBackAcrossARestart_IsAcceptedOnceItsStampsPassItsOldBootsNewest()
    {
        // The old boot's last message was stamped Now; the restarted peer's clock runs 600 ms behind.
        Assert.True(guard.Check(PulseNetwork.Public, 1, 5, Now, Now, out _, out _));
        Assert.False(guard.Check(PulseNetwork.Public, 2, 1, Now - 500, Now + 100, out _, out var reason));
        Assert.Equal(PulseDropReason.StaleBoot, reason);
        Assert.True(guard.Check(PulseNetwork.Public, 2, 2, Now + 100, Now + 700, out _, out _));
        Assert.Equal(2ul, guard.CurrentBoot);
    }

    [Fact]
    public void NewBoot_OutsideTheWindow_StaleBoot()
    {
        Assert.Equal(PulseDropReason.StaleBoot, Check(1, 1, ts: Now - 2_001));
        Assert.Equal(PulseDropReason.StaleBoot, Check(1, 1, ts: Now + 2_001));
        Assert.Null(guard.CurrentBoot);
    }

    [Fact]
    public void PreviousBoot_RefusedEvenWhenFresh()
    {
        Assert.Null(Check(1, 1));
        Assert.Null(Check(2, 1));
        Assert.Equal(PulseDropReason.StaleBoot, Check(1, 99));
    }

    [Fact]
    public void SequenceZero_NeverStartsABoot() => Assert.Equal(PulseDropReason.StaleBoot, Check(1, 0));

    [Theory]
    [InlineData(30, 2000)]
    [InlineData(1500, 3000)]
    [InlineData(5000, 10000)]
    public void FreshnessWindow_IsTwiceDeadtime_AtLeastTwoSeconds(int deadTimeMs, int windowMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(windowMs), ReplayGuard.FreshnessWindow(TimeSpan.FromMilliseconds(deadTimeMs)));
}
