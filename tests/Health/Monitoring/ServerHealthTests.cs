using UserLvs.Health.Monitoring;

namespace UserLvs.Health.Tests.Monitoring;

/// <summary>lvs.cf's timing as a state machine: timeout 10 s to go out, reentry 30 s to come back.</summary>
public sealed class ServerHealthTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CheckResult Down = CheckResult.Fail("connection refused");

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void AServerStartsInService() => Assert.True(new ServerHealth(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)).InService);

    [Fact]
    public void FailingForLessThanTimeout_StaysIn_AndAPassForgetsTheRun()
    {
        var health = new ServerHealth(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        Assert.False(health.Observe(Down, At(0)));
        Assert.False(health.Observe(Down, At(9.9)));
        Assert.False(health.Observe(CheckResult.Pass, At(10)));
        Assert.False(health.Observe(Down, At(15)));
        Assert.False(health.Observe(Down, At(24.9)));
        Assert.True(health.InService);
        Assert.Equal("connection refused", health.LastFailure);
    }

    [Fact]
    public void FailingForTimeout_GoesOutOnce()
    {
        var health = new ServerHealth(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        health.Observe(Down, At(0));
        Assert.True(health.Observe(Down, At(10)));
        Assert.False(health.InService);
        Assert.False(health.Observe(Down, At(20)));
        Assert.False(health.Observe(Down, At(30)));
    }

    [Fact]
    public void PassingForLessThanReentry_StaysOut_AndAFailureRestartsTheCount()
    {
        var health = new ServerHealth(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), inService: false);
        Assert.False(health.Observe(CheckResult.Pass, At(0)));
        Assert.False(health.Observe(CheckResult.Pass, At(29)));
        Assert.False(health.Observe(Down, At(30)));
        Assert.False(health.Observe(CheckResult.Pass, At(40)));
        Assert.False(health.Observe(CheckResult.Pass, At(69)));
        Assert.False(health.InService);
        Assert.True(health.Observe(CheckResult.Pass, At(70)));
        Assert.True(health.InService);
    }

    [Fact]
    public void ReentryZero_PutsAServerBackAtItsFirstPass()
    {
        var health = new ServerHealth(TimeSpan.FromSeconds(10), TimeSpan.Zero, inService: false);
        Assert.True(health.Observe(CheckResult.Pass, At(0)));
    }
}
