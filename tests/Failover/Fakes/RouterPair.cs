using Microsoft.Extensions.Time.Testing;
using UserLvs.Failover.Protocol;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>
/// Two routers, A (lvs.cf primary) and B (backup), on a fake wire under one fake clock. Time moves in
/// 1 ms steps: each step delivers what is queued, then ticks both routers. A crashed router neither
/// ticks nor receives.
/// </summary>
public sealed class RouterPair
{
    private ulong nextBoot = 0xA000;

    public RouterPair(bool primaryForce = false, bool backupForce = false, bool privateNetwork = true)
    {
        PrimaryForce = primaryForce;
        PrivateNetwork = privateNetwork;
        A = NewRouter("A", Addresses.Primary(primaryForce, privateNetwork));
        B = NewRouter("B", Addresses.Backup(backupForce, privateNetwork));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    public FakeWire Wire { get; } = new();
    public List<string> Timeline { get; } = [];
    public Router A { get; private set; }
    public Router B { get; private set; }
    public bool PrimaryForce { get; }
    public bool PrivateNetwork { get; }
    public TimeSpan Elapsed { get; private set; }

    public void StartBoth()
    {
        A.Machine.Start();
        B.Machine.Start();
    }

    /// <summary>Replaces A with a freshly started process (new boot id), as after a reboot.</summary>
    public void RestartPrimary(bool forceActive = false, TimeSpan failbackDelay = default)
    {
        A = new Router("A", Addresses.Settings(Addresses.Primary(forceActive, PrivateNetwork)) with { FailbackDelay = failbackDelay },
            Time, Wire, Timeline, nextBoot++);
        A.Machine.Start();
    }

    public void Run(TimeSpan duration)
    {
        for (var end = Elapsed + duration; Elapsed < end;) Step();
    }

    /// <summary>Runs until the condition holds; fails the test after <paramref name="limit"/>.</summary>
    public TimeSpan RunUntil(Func<bool> condition, TimeSpan limit)
    {
        var start = Elapsed;
        while (!condition())
        {
            if (Elapsed - start >= limit) throw new Xunit.Sdk.XunitException($"condition not reached within {limit.TotalMilliseconds} ms");
            Step();
        }
        return Elapsed - start;
    }

    public void Step()
    {
        Time.Advance(TimeSpan.FromMilliseconds(1));
        Elapsed += TimeSpan.FromMilliseconds(1);
        Deliver();
        if (!A.Crashed) A.Machine.Tick();
        if (!B.Crashed) B.Machine.Tick();
        Deliver();
    }

    /// <summary>Delivers queued datagrams, including the answers they cause, until the wire is quiet.</summary>
    public void Deliver()
    {
        for (int round = 0; round < 20; round++)
        {
            var batch = Wire.TakeAll();
            if (batch.Count == 0) return;
            foreach (var (from, network, bytes) in batch)
            {
                var to = from == "A" ? B : A;
                if (!to.Crashed) to.Machine.Receive(network, bytes, out _);
            }
        }
        throw new InvalidOperationException("the routers kept answering each other");
    }

    /// <summary>The timeline from the entry at <paramref name="from"/> on.</summary>
    public string[] TimelineSince(int from) => Timeline.Skip(from).ToArray();

    private Router NewRouter(string name, RoleAssignment roles) =>
        new(name, Addresses.Settings(roles), Time, Wire, Timeline, nextBoot++);
}
