using Microsoft.Extensions.Time.Testing;
using UserLvs.Failover.Tests.Fakes;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>
/// The service around the machine: its timer fires exactly when the machine has something due, so
/// heartbeats and the deadtime takeover happen on time without anyone calling Tick.
/// </summary>
public class PulseServiceTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private void Run(TimeSpan duration, params QueuedTransport[] transports)
    {
        for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromMilliseconds(1))
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            for (int round = 0; round < 10 && transports.Sum(x => x.Pump()) > 0; round++) { }
        }
    }

    [Fact]
    public async Task TwoServices_PrimaryActive_ThenBackupTakesOverOnTheTimer_AfterThePrimaryGoesQuiet()
    {
        var ta = new QueuedTransport(Addresses.PrimaryPublic);
        var tb = new QueuedTransport(Addresses.BackupPublic);
        ta.Peer = tb;
        tb.Peer = ta;
        var targetA = new RecordingTarget();
        var targetB = new RecordingTarget();
        var transitionsB = new List<string>();
        await using var a = new PulseService(Addresses.Settings(Addresses.Primary()), ta, targetA, time, bootId: 1);
        await using var b = new PulseService(Addresses.Settings(Addresses.Backup()), tb, targetB, time, bootId: 2);
        b.Transitioned += t => transitionsB.Add(t.ToString());

        a.Start();
        b.Start();
        Run(TimeSpan.FromMilliseconds(100), ta, tb);
        Assert.Equal((RouterRole.Active, RouterRole.Backup), (a.Role, b.Role));
        Assert.Equal(["BecomeActive"], targetA.Calls);

        ta.Down = true;
        Run(TimeSpan.FromMilliseconds(40), ta, tb);

        Assert.Equal(RouterRole.Active, b.Role);
        Assert.Equal(["BecomeActive"], targetB.Calls);
        Assert.Equal(["Backup -> Active: no answer from the peer for deadtime"], transitionsB);
    }

    [Fact]
    public async Task Dispose_ActiveService_StandsDownAndTellsThePeer()
    {
        var ta = new QueuedTransport(Addresses.PrimaryPublic);
        var tb = new QueuedTransport(Addresses.BackupPublic);
        ta.Peer = tb;
        tb.Peer = ta;
        var targetA = new RecordingTarget();
        var targetB = new RecordingTarget();
        var a = new PulseService(Addresses.Settings(Addresses.Primary()), ta, targetA, time, bootId: 1);
        await using var b = new PulseService(Addresses.Settings(Addresses.Backup()), tb, targetB, time, bootId: 2);
        a.Start();
        b.Start();
        Run(TimeSpan.FromMilliseconds(50), ta, tb);

        await a.DisposeAsync();
        ta.Pump();

        Assert.Equal(["BecomeActive", "BecomeStandby"], targetA.Calls);
        Assert.Equal(["BecomeActive"], targetB.Calls);
        Assert.Equal(RouterRole.Shutdown, a.Status.Role);
    }

    [Fact]
    public async Task Dispose_RunsTheInactiveCommand_EvenBehindASlowActiveCommand_BeforeItReturns()
    {
        string dir = Directory.CreateTempSubdirectory("pulse-cmd-").FullName;
        try
        {
            string log = Path.Combine(dir, "log");
            var transport = new QueuedTransport(Addresses.PrimaryPublic) { Down = true };
            var commands = new UserLvs.Failover.Commands.ShellCommandRunner(TimeSpan.FromSeconds(20));
            var a = new PulseService(Addresses.Settings(Addresses.Primary(forceActive: true)), transport, new RecordingTarget(), time, commands,
                $"sleep 0.5; echo active >> {log}", $"echo inactive >> {log}", bootId: 1);
            a.Start();
            Run(TimeSpan.FromMilliseconds(50), transport);   // silence: active after deadtime, active_cmd starts
            Assert.Equal(RouterRole.Active, a.Role);

            await a.DisposeAsync();   // SIGTERM while active_cmd still runs

            Assert.Equal(["active", "inactive"], File.ReadAllLines(log));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
