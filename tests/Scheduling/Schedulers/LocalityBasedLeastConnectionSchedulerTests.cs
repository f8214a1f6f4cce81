using Microsoft.Extensions.Time.Testing;

namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_lblc.c: requests for one destination address go to the server cached for it
/// while that server is usable and not overloaded (active > weight while some server is under
/// half its weight); otherwise the weighted least-connection server is chosen and cached.
/// Entries unused for 24 h go at the half-hourly full check; over 16384 entries, the minute check
/// trims entries unused for 6 minutes.
/// </summary>
public class LocalityBasedLeastConnectionSchedulerTests
{
    [Fact]
    public void Pick_SameDestination_StaysOnItsCachedServer()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 1, inactive: 0);
        // A fresh choice now goes to the idle server; the cached destination stays where it was.
        Assert.Same(servers[1], Pick(service, "203.0.113.2"));
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        Assert.Same(servers[1], Pick(service, "203.0.113.2"));
    }

    [Fact]
    public void Pick_KeysOnTheDestinationAddress_NotOnTheClient()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], service.Scheduler.Pick(new SchedulingRequest(IPv4Address.Parse("198.51.100.1"), 1000, IPv4Address.Parse("203.0.113.1"), 80)));
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.Same(servers[0], service.Scheduler.Pick(new SchedulingRequest(IPv4Address.Parse("198.51.100.99"), 2000, IPv4Address.Parse("203.0.113.1"), 80)));
    }

    [Fact]
    public void Pick_CachedServerOverItsWeight_WhileAnotherIsUnderHalfItsWeight_IsRescheduled()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 3, inactive: 0);   // 3 > weight 2
        servers[1].SetConnections(active: 1, inactive: 0);   // 1 * 2 < weight 4
        Assert.Same(servers[1], Pick(service, "203.0.113.1"));
        // The entry now names the new server and stays with it while it is not overloaded.
        servers[1].SetConnections(active: 5, inactive: 0);   // over its weight, but no server is under half
        Assert.Same(servers[1], Pick(service, "203.0.113.1"));
    }

    [Fact]
    public void Pick_CachedServerOverItsWeight_WithNoServerUnderHalfItsWeight_StaysCached()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 3, inactive: 0);
        servers[1].SetConnections(active: 2, inactive: 0);   // 2 * 2 == 4: not under half
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[1].SetConnections(active: 1, inactive: 0);   // now it is
        Assert.Same(servers[1], Pick(service, "203.0.113.1"));
    }

    [Fact]
    public void Pick_CachedServerAtExactlyItsWeight_IsNotOverloaded()
    {
        var servers = ServerList.WithWeights(2, 4);
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 2, inactive: 0);   // active == weight: "conns > weight" is false
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
    }

    [Fact]
    public void Pick_QuiescedCachedServer_IsRescheduled()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (table, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        Assert.Equal(TableResult.Ok, table.EditRealServer(service.Key, servers[0].Address, 80, 0, 0, 0, ForwardingMethod.Masquerade));
        service = table.Current.Find(service.Key)!;
        Assert.Equal(servers[1].Address, Pick(service, "203.0.113.1")!.Address);
    }

    [Fact]
    public void Pick_CachedServerOverItsUpperThreshold_IsRescheduled()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 10, upperThreshold: 2),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 10),
        };
        var (_, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 1, inactive: 1);   // at its upper threshold
        servers[1].SetConnections(active: 5, inactive: 0);
        Assert.True(servers[0].IsOverloaded);
        Assert.Same(servers[1], Pick(service, "203.0.113.1"));
    }

    [Fact]
    public void Pick_CachedServerRemovedFromTheService_IsRescheduled()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (table, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        Assert.Equal(TableResult.Ok, table.DeleteRealServer(service.Key, servers[0].Address, 80));
        service = table.Current.Find(service.Key)!;
        Assert.Same(servers[1], Pick(service, "203.0.113.1"));
    }

    [Fact]
    public void Pick_AfterATableChange_KeepsTheCache()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (table, service, _) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.Equal(TableResult.Ok, table.EditRealServer(service.Key, servers[1].Address, 80, 3, 0, 0, ForwardingMethod.Masquerade));
        var edited = table.Current.Find(service.Key)!;
        Assert.NotSame(service.Scheduler, edited.Scheduler);
        // wlc would now choose the idle server of weight 3; the cached entry survived the change.
        Assert.Same(servers[0], Pick(edited, "203.0.113.1"));
        Assert.Equal(servers[1].Address, Pick(edited, "203.0.113.2")!.Address);
    }

    [Fact]
    public void Pick_WithEveryServerQuiesced_ReturnsNone()
    {
        var (_, service, _) = Publish(ServerList.WithWeights(0, 0));
        Assert.Null(Pick(service, "203.0.113.1"));
        Assert.Equal(0, Scheduler(service).CachedEntries);
    }

    [Fact]
    public void Entries_UnusedForTheExpiration_AreDroppedByTheHalfHourlyFullCheck()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service, time) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 1, inactive: 0);

        // Full checks run at 30, 60, ... minutes; the one at 23:30 finds the entry 23.5 h old.
        RunFor(time, TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        Assert.Equal(1, Scheduler(service).CachedEntries);
        // The full check at 24:00 finds it unused for lblc_expiration (24 h) and drops it.
        RunFor(time, TimeSpan.FromMinutes(1));
        Assert.Equal(0, Scheduler(service).CachedEntries);
        // So the destination is scheduled afresh, to the idle server.
        Assert.Same(servers[1], Pick(service, "203.0.113.1"));
    }

    [Fact]
    public void Entries_UsedWithinTheExpiration_Stay()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (_, service, time) = Publish(servers);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
        servers[0].SetConnections(active: 1, inactive: 0);
        RunFor(time, TimeSpan.FromHours(12));
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));   // lastuse = 12 h
        RunFor(time, TimeSpan.FromHours(12));
        Assert.Equal(1, Scheduler(service).CachedEntries);
        Assert.Same(servers[0], Pick(service, "203.0.113.1"));
    }

    [Fact]
    public void Entries_OverMaxSize_UnusedForSixMinutes_AreTrimmedByTheMinuteCheck()
    {
        var servers = ServerList.WithWeights(1);
        var (_, service, time) = Publish(servers);
        for (uint i = 0; i < 20_000; i++) Assert.Same(servers[0], Pick(service, new IPv4Address(0x0B000000u + i)));
        int before = Scheduler(service).CachedEntries;
        const int maxSize = 16384;
        Assert.InRange(before, 19_900, 20_000);

        // Over max_size, the minute check drops only entries unused for ENTRY_TIMEOUT (6 min).
        RunFor(time, TimeSpan.FromMinutes(5));
        Assert.Equal(before, Scheduler(service).CachedEntries);
        RunFor(time, TimeSpan.FromMinutes(1));
        // goal = (entries - max_size) * 4 / 3, bucket by bucket (a bucket is 32 slots).
        int goal = (before - maxSize) * 4 / 3;
        int after = Scheduler(service).CachedEntries;
        Assert.InRange(after, before - goal - 32, before - goal);
        // Back under max_size, the next checks leave the rest alone until their 24 h pass.
        RunFor(time, TimeSpan.FromMinutes(10));
        Assert.Equal(after, Scheduler(service).CachedEntries);
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
        // A destination cached before the table filled up is still found.
        Assert.Same(servers[0], Pick(service, new IPv4Address(0x0B000000u)));
    }

    [Fact]
    public void Dispose_StopsOnlyThisSchedulersCollection()
    {
        var time = new FakeTimeProvider();
        using var kept = new LocalityBasedLeastConnectionScheduler(new SchedulerContext(ServerList.WithWeights(1), Time: time));
        var disposed = new LocalityBasedLeastConnectionScheduler(new SchedulerContext(ServerList.WithWeights(1), Time: time));
        Assert.NotNull(kept.Pick(To("203.0.113.1")));
        Assert.NotNull(disposed.Pick(To("203.0.113.1")));
        disposed.Dispose();
        RunFor(time, TimeSpan.FromHours(24));
        Assert.Equal(0, kept.CachedEntries);
        Assert.Equal(1, disposed.CachedEntries);
    }

    [Fact]
    public void Collection_OfATakenOverCache_KeepsItsRhythm()
    {
        var servers = ServerList.WithWeights(1, 1);
        var (table, service, time) = Publish(servers);
        Pick(service, "203.0.113.1");
        RunFor(time, TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(30));
        Assert.Equal(TableResult.Ok, table.EditRealServer(service.Key, servers[1].Address, 80, 2, 0, 0, ForwardingMethod.Masquerade));
        service = table.Current.Find(service.Key)!;
        // The old scheduler's timer is stopped; the new one ticks on the old minute marks.
        RunFor(time, TimeSpan.FromHours(24) - TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(31));
        Assert.Equal(1, Scheduler(service).CachedEntries);
        RunFor(time, TimeSpan.FromSeconds(1));
        Assert.Equal(0, Scheduler(service).CachedEntries);
    }

    [Fact]
    public void Pick_DoesNotAllocate_OnMissesReschedulesOrHits()
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
            for (uint i = 0; i < 4096; i++) Assert.NotNull(Pick(service, new IPv4Address(firstDestination + i)));   // reschedules
            for (uint i = 0; i < 4096; i++) Assert.NotNull(Pick(service, new IPv4Address(firstDestination + i)));   // hits
        }
        Run(0x0A000000u);   // warm-up: code jitted and tiered up
        Run(0x0A100000u);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(0x0B000000u);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (ServiceTable Table, VirtualService Service, FakeTimeProvider Time) Publish(params RealServer[] servers)
    {
        var time = new FakeTimeProvider();
        var (table, service) = ServerList.Publish("lblc", servers, time: time);
        return (table, service, time);
    }

    private static LocalityBasedLeastConnectionScheduler Scheduler(VirtualService service) =>
        Assert.IsType<LocalityBasedLeastConnectionScheduler>(service.Scheduler);

    private static SchedulingRequest To(string destination) => To(IPv4Address.Parse(destination));

    private static readonly IPv4Address Client = IPv4Address.Parse("198.51.100.1");

    private static SchedulingRequest To(IPv4Address destination) => new(Client, 40000, destination, 80);

    private static RealServer? Pick(VirtualService service, string destination) => service.Scheduler.Pick(To(destination));

    private static RealServer? Pick(VirtualService service, IPv4Address destination) => service.Scheduler.Pick(To(destination));

    /// <summary>Moves the fake clock forward in steps of at most a minute, so every collection tick sees its own time.</summary>
    internal static void RunFor(FakeTimeProvider time, TimeSpan span)
    {
        var step = TimeSpan.FromMinutes(1);
        for (; span > step; span -= step) time.SetUtcNow(time.GetUtcNow() + step);
        time.SetUtcNow(time.GetUtcNow() + span);
    }
}
