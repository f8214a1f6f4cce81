using UserLvs.Tests.Shared;

namespace UserLvs.Scheduling.Tests;

/// <summary>
/// A pick happens for every new connection on the forwarding path: it must allocate nothing.
/// Counted with the runtime's per-thread allocation counter over thousands of picks, for every
/// scheduler, with live counter changes in between (the incremental structures must not allocate either).
/// </summary>
public class SchedulerAllocationTests
{
    public static TheoryData<string> AllSchedulers() => new(SchedulerRegistry.Names);

    [Theory]
    [MemberData(nameof(AllSchedulers))]
    public void Pick_AllocatesNothing(string scheduler)
    {
        var servers = ServerList.WithWeights(Enumerable.Range(0, 64).Select(i => 1 + i % 7).ToArray());
        var (_, service) = ServerList.Publish(scheduler, servers);
        var requests = Enumerable.Range(0, 1024)
            .Select(i => new SchedulingRequest(new IPv4Address(0xC6336400u + (uint)i * 7919), (ushort)(1024 + i),
                new IPv4Address(0xC0000200u + (uint)(i % 16)), 80))
            .ToArray();
        void Run(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var server = service.Scheduler.Pick(in requests[i & 1023]);
                Assert.NotNull(server);
                server.Counters.ConnectionBound(active: false);
                server.Counters.ConnectionActivityChanged(nowActive: true);
                // Every connection ends again, so ovf (active > weight excludes a server) never runs dry.
                server.Counters.ConnectionUnbound(active: true);
            }
        }
        Run(2_000); // warm-up: caches filled, code jitted
        Assert.Equal(0, SteadyStateAllocations.OfQuietestRound(() => Run(20_000)));
    }
}
