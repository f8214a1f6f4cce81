using Microsoft.Extensions.Time.Testing;

namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_lblcr.c: a destination address maps to a set of servers. A pick takes the least
/// loaded usable member; when that one is overloaded (active > weight while some server is under
/// half its weight) or none is usable, the weighted least-connection server is chosen and added
/// to the set. A set with more than one member that has not changed for longer than
/// lblcr_expiration (24 h) loses its most loaded member.
/// </summary>
public class LocalityBasedLeastConnectionWithReplicationSchedulerTests
{
    private const string Destination = "203.0.113.1";

    [Fact]
    public void Pick_SameDestination_StaysOnItsSet()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, Destination));
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[1], Pick(service, "203.0.113.2"));
        Assert.Same(servers[0], Pick(service, Destination));
        Assert.Equal([servers[0]], Scheduler(service).CachedServers(IPv4Address.Parse(Destination)));
    }

    [Fact]
    public void Pick_WhenTheSetsChoiceIsOverloaded_AddsTheLeastLoadedServerToTheSet()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, Destination));
        servers[0].SetConnections(active: 3, inactive: 0);   // 3 > weight 2
        servers[1].SetConnections(active: 1, inactive: 0);   // 1 * 2 < weight 4
        Assert.Same(servers[1], Pick(service, Destination));
        Assert.Equal([servers[1], servers[0]], Scheduler(service).CachedServers(IPv4Address.Parse(Destination)));

        // Both members now serve the destination: the pick is the least loaded per weight of the two.
        servers[1].SetConnections(active: 7, inactive: 0);   // 1792/4 = 448 against 768/2 = 384
        Assert.Same(servers[0], Pick(service, Destination));
        servers[1].SetConnections(active: 5, inactive: 0);   // 1280/4 = 320
        Assert.Same(servers[1], Pick(service, Destination));
    }

    [Fact]
    public void Pick_OverloadedChoice_WithNoServerUnderHalfItsWeight_DoesNotReplicate()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, Destination));
        servers[0].SetConnections(active: 3, inactive: 0);
        servers[1].SetConnections(active: 2, inactive: 0);   // 2 * 2 == 4: not under half
        Assert.Same(servers[0], Pick(service, Destination));
        Assert.Equal([servers[0]], Scheduler(service).CachedServers(IPv4Address.Parse(Destination)));
    }

    [Fact]
    public void Pick_WithNoUsableMember_SchedulesAfreshAndAddsTheNewServer()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (table, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, Destination));
        Assert.Equal(TableResult.Ok, table.EditRealServer(service.Key, servers[0].Address, 80, 0, 0, 0, ForwardingMethod.Masquerade));
        service = table.Current.Find(service.Key)!;
        Assert.Equal(servers[1].Address, Pick(service, Destination)!.Address);
        Assert.Equal([servers[1].Address, servers[0].Address],
            Scheduler(service).CachedServers(IPv4Address.Parse(Destination)).Select(s => s.Address));
    }

    [Fact]
    public void Pick_SkipsAMemberOverItsUpperThreshold()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 10, upperThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 10),
        };
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, Destination));
        servers[0].SetConnections(active: 2, inactive: 0);
        servers[1].SetConnections(active: 5, inactive: 0);
        Assert.Same(servers[1], Pick(service, Destination));
        Assert.Equal([servers[1], servers[0]], Scheduler(service).CachedServers(IPv4Address.Parse(Destination)));
    }

    [Fact]
    public void Set_UnchangedForLongerThanTheExpiration_DropsItsMostLoadedMember()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (_, service, time) = Publish(servers);
        Assert.Same(servers[0], Pick(service, Destination));
        servers[0].SetConnections(active: 3, inactive: 0);
        servers[1].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[1], Pick(service, Destination));     // replicated: lastmod = now
        servers[0].SetConnections(active: 1, inactive: 0);       // 256/2 = 128: the busier member
        servers[1].SetConnections(active: 0, inactive: 0);

        LocalityBasedLeastConnectionSchedulerTests.RunFor(time, TimeSpan.FromHours(12));
        Assert.Same(servers[1], Pick(service, Destination));     // keeps the entry in use
        LocalityBasedLeastConnectionSchedulerTests.RunFor(time, TimeSpan.FromHours(12));
        // Exactly lblcr_expiration after the change: time_after is strict, the set stays.
        Assert.Same(servers[1], Pick(service, Destination));
        Assert.Equal(2, Scheduler(service).CachedServers(IPv4Address.Parse(Destination)).Count);
        time.Advance(TimeSpan.FromTicks(1));
        // The pick is chosen before the busiest member is removed.
        Assert.Same(servers[1], Pick(service, Destination));
        Assert.Equal([servers[1]], Scheduler(service).CachedServers(IPv4Address.Parse(Destination)));

        // The dropped server no longer serves the destination, even when it is the less loaded one.
        servers[1].SetConnections(active: 4, inactive: 0);       // 1024/4 = 256, at its weight
        Assert.Same(servers[1], Pick(service, Destination));
    }

    [Fact]
    public void Set_WhenFull_UsesTheNewServerWithoutAddingIt()
    {
        var servers = ServerList.WithWeights(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var (_, service, _) = Publish(servers);
        // Each pick finds every member busy (2 > weight 1) while idle servers are under half:
        // the next idle server is scheduled and replicated into the set.
        for (int i = 0; i < 10; i++)
        {
            Assert.Same(servers[i], Pick(service, Destination));
            servers[i].SetConnections(active: 2, inactive: 0);
        }
        // The set stopped growing at its capacity of 8; servers 8 and 9 were used without being added.
        var set = Scheduler(service).CachedServers(IPv4Address.Parse(Destination));
        Assert.Equal(servers.Take(8).Reverse(), set);
    }

    [Fact]
    public void Pick_AfterATableChange_KeepsTheSets()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (table, service, _) = Publish(servers);
        Pick(service, Destination);
        servers[0].SetConnections(active: 3, inactive: 0);
        servers[1].SetConnections(active: 1, inactive: 0);
        Pick(service, Destination);                              // set {B, A}
        servers[1].SetConnections(active: 3, inactive: 0);

        var extra = new RealServer(IPv4Address.Parse("10.0.0.9"), 80, weight: 100);
        Assert.Equal(TableResult.Ok, table.AddRealServer(service.Key, extra));
        service = table.Current.Find(service.Key)!;
        // The idle newcomer would win a fresh choice; the destination stays on its set, whose
        // least loaded member is B (768/4 = 192 against 768/2 = 384), not over its weight.
        Assert.Same(servers[1], Pick(service, Destination));
        Assert.Equal([servers[1], servers[0]], Scheduler(service).CachedServers(IPv4Address.Parse(Destination)));

        // A member removed from the service is no longer chosen.
        Assert.Equal(TableResult.Ok, table.DeleteRealServer(service.Key, servers[1].Address, 80));
        service = table.Current.Find(service.Key)!;
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[0], Pick(service, Destination));
    }

    [Fact]
    public void Entries_UnusedForTheExpiration_AreDroppedByTheHalfHourlyFullCheck()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service, time) = Publish(servers);
        Assert.Same(servers[0], Pick(service, Destination));
        servers[0].SetConnections(active: 1, inactive: 0);
        LocalityBasedLeastConnectionSchedulerTests.RunFor(time, TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        Assert.Equal(1, Scheduler(service).CachedEntries);
        LocalityBasedLeastConnectionSchedulerTests.RunFor(time, TimeSpan.FromMinutes(1));
        Assert.Equal(0, Scheduler(service).CachedEntries);
        Assert.Same(servers[1], Pick(service, Destination));
    }

    [Fact]
    public void Pick_WithAFullCache_StillSchedulesByWeightedLeastConnection()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service, _) = Publish(servers);
        servers[1].SetConnections(active: 1, inactive: 0);
        for (uint i = 0; i < 60_000; i++) Assert.Same(servers[0], Pick(service, new IPv4Address(0x0B000000u + i)));
        Assert.InRange(Scheduler(service).CachedEntries, 16384, 32768);
        servers[0].SetConnections(active: 2, inactive: 0);
        Assert.Same(servers[1], Pick(service, IPv4Address.Parse("203.0.113.1")));
        Assert.Same(servers[0], Pick(service, new IPv4Address(0x0B000000u)));
    }

    [Fact]
    public void Dispose_StopsOnlyThisSchedulersCollection()
    {
        var time = new FakeTimeProvider();
        using var kept = new LocalityBasedLeastConnectionWithReplicationScheduler(new SchedulerContext(ServerList.WithWeights(1), Time: time));
        var disposed = new LocalityBasedLeastConnectionWithReplicationScheduler(new SchedulerContext(ServerList.WithWeights(1), Time: time));
        var request = new SchedulingRequest(IPv4Address.Parse("198.51.100.1"), 40000, IPv4Address.Parse(Destination), 80);
        Assert.NotNull(kept.Pick(request));
        Assert.NotNull(disposed.Pick(request));
        disposed.Dispose();
        LocalityBasedLeastConnectionSchedulerTests.RunFor(time, TimeSpan.FromHours(24));
        Assert.Equal(0, kept.CachedEntries);
        Assert.Equal(1, disposed.CachedEntries);
    }

    [Fact]
    public void Pick_DoesNotAllocate_OnMissesReplicationOrHits()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (_, service, _) = Publish(servers);
        void Run(uint firstDestination)
        {
            servers[0].SetConnections(active: 0, inactive: 0);
            servers[1].SetConnections(active: 0, inactive: 0);
            for (uint i = 0; i < 4096; i++) Assert.NotNull(Pick(service, new IPv4Address(firstDestination + i)));   // misses
            servers[0].SetConnections(active: 3, inactive: 0);
            servers[1].SetConnections(active: 1, inactive: 0);
            for (uint i = 0; i < 4096; i++) Assert.NotNull(Pick(service, new IPv4Address(firstDestination + i)));   // replication
            for (uint i = 0; i < 4096; i++) Assert.NotNull(Pick(service, new IPv4Address(firstDestination + i)));   // hits
        }
        Run(0x0A000000u);   // warm-up: code jitted and tiered up
        Run(0x0A100000u);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(0x0B000000u);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Pick_FromSeveralThreads_WhileCountersChange_KeepsEverySetSound()
    {
        var servers = ServerList.WithWeights(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        var (_, service, _) = Publish(servers);
        var scheduler = service.Scheduler;
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
                servers[random.Next(servers.Length)].SetConnections(active: random.Next(0, 30), inactive: random.Next(0, 5));
        });
        Parallel.For(0, 4, worker =>
        {
            for (int i = 0; i < 50_000; i++)
            {
                var request = new SchedulingRequest(IPv4Address.Parse("198.51.100.1"), 40000, new IPv4Address(0x0B000000u + (uint)(i % 64)), 80);
                Assert.Contains(scheduler.Pick(request), servers);
            }
        });
        stop.Cancel();
        await churn;
        for (uint d = 0; d < 64; d++)
        {
            var set = Scheduler(service).CachedServers(new IPv4Address(0x0B000000u + d));
            Assert.InRange(set.Count, 1, 8);
            Assert.Equal(set.Count, set.Distinct().Count());
        }
    }

    private static (ServiceTable Table, VirtualService Service, FakeTimeProvider Time) Publish(params RealServer[] servers)
    {
        var time = new FakeTimeProvider();
        var (table, service) = ServerList.Publish("lblcr", servers, time: time);
        return (table, service, time);
    }

    private static LocalityBasedLeastConnectionWithReplicationScheduler Scheduler(VirtualService service) =>
        Assert.IsType<LocalityBasedLeastConnectionWithReplicationScheduler>(service.Scheduler);

    private static RealServer? Pick(VirtualService service, string destination) => Pick(service, IPv4Address.Parse(destination));

    private static readonly IPv4Address Client = IPv4Address.Parse("198.51.100.1");

    private static RealServer? Pick(VirtualService service, IPv4Address destination) =>
        service.Scheduler.Pick(new SchedulingRequest(Client, 40000, destination, 80));
}
