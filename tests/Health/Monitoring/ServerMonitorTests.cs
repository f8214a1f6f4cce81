using Microsoft.Extensions.Time.Testing;
using UserLvs.Health.Monitoring;
using UserLvs.Scheduling;

namespace UserLvs.Health.Tests.Monitoring;

public sealed class ServerMonitorTests
{
    private static readonly RealServerId Server = new(new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80), IPv4Address.Parse("10.0.0.11"), 80);
    private static readonly ServiceCheckSettings Settings = new()
    {
        Timeout = TimeSpan.FromSeconds(6), CheckInterval = TimeSpan.FromSeconds(2), Reentry = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public void ChecksAtOnce_ThenEveryCheckInterval()
    {
        var time = new FakeTimeProvider();
        var checks = new ScriptedChecks();
        using var monitor = new ServerMonitor(Server, Settings, checks.Single(), new CheckScheduler(time), (_, _) => { });
        monitor.Start();
        Assert.Equal(1, checks.ChecksOf("10.0.0.11:80"));
        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(1, checks.ChecksOf("10.0.0.11:80"));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(2, checks.ChecksOf("10.0.0.11:80"));
        for (int i = 0; i < 5; i++) time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(7, checks.ChecksOf("10.0.0.11:80"));
    }

    [Fact]
    public void ReportsEachChangeOnce_WithTheReason()
    {
        var time = new FakeTimeProvider();
        var checks = new ScriptedChecks();
        var changes = new List<string>();
        using var monitor = new ServerMonitor(Server, Settings, checks.Single(), new CheckScheduler(time), (_, r) => changes.Add(r.ToString()));
        monitor.Start();
        checks.Fail("10.0.0.11:80", "timed out after 2s");
        time.Advance(TimeSpan.FromSeconds(2)); // first failure at t=2
        time.Advance(TimeSpan.FromSeconds(4)); // t=6: failing for 4 s < 6
        Assert.Empty(changes);
        time.Advance(TimeSpan.FromSeconds(2)); // t=8: failing for 6 s
        Assert.Equal(["failed: timed out after 2s"], changes);
        for (int i = 0; i < 10; i++) time.Advance(TimeSpan.FromSeconds(2));
        Assert.Single(changes);
        checks.Pass("10.0.0.11:80");
        time.Advance(TimeSpan.FromSeconds(2)); // first pass
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Single(changes);
        time.Advance(TimeSpan.FromSeconds(2)); // passing for 4 s = reentry
        Assert.Equal(["failed: timed out after 2s", "passed"], changes);
    }

    [Fact]
    public void CheckDeadline_IsTheSmallerOfTimeoutAndInterval()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Settings.CheckDeadline);
        Assert.Equal(TimeSpan.FromSeconds(1), (Settings with { Timeout = TimeSpan.FromSeconds(1) }).CheckDeadline);
    }

    [Fact]
    public void AStoppedMonitor_ChecksNoMore()
    {
        var time = new FakeTimeProvider();
        var checks = new ScriptedChecks();
        var monitor = new ServerMonitor(Server, Settings, checks.Single(), new CheckScheduler(time), (_, _) => { });
        monitor.Start();
        monitor.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, checks.ChecksOf("10.0.0.11:80"));
    }

    [Fact]
    public async Task AThousandMonitors_ShareTheConcurrencyCap()
    {
        var gate = new TaskCompletionSource<CheckResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0, most = 0;
        var check = new GatedCheck(async () =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            var result = await gate.Task;
            Interlocked.Decrement(ref inFlight);
            return result;
        });
        var scheduler = new CheckScheduler(new FakeTimeProvider(), maxConcurrentChecks: 16);
        var monitors = Enumerable.Range(0, 1000).Select(i => new ServerMonitor(Server with { Port = (ushort)(1000 + i) }, Settings, check, scheduler, (_, _) => { })).ToList();
        foreach (var m in monitors) m.Start();
        Assert.Equal(16, Volatile.Read(ref inFlight));
        gate.SetResult(CheckResult.Pass);
        for (int i = 0; i < 500 && monitors.Sum(m => m.Checks) < 1000; i++) await Task.Delay(10);
        Assert.Equal(1000, monitors.Sum(m => m.Checks));
        Assert.Equal(16, most);
        foreach (var m in monitors) m.Dispose();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private sealed class GatedCheck(Func<Task<CheckResult>> run) : IHealthCheck
    {
        public async ValueTask<CheckResult> CheckAsync(System.Net.IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken) => await run();
    }
}
