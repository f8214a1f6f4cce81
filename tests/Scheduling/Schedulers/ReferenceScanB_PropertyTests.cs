using CsCheck;

namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// lc, sed, nq and twos keep incremental structures (a selection tree, a Fenwick tree) instead of
/// IPVS's per-pick list walk. These properties drive random services (1..40 servers, weights 0..10,
/// random thresholds) through random connection events, weight edits and republishes, and check after
/// every event that each pick equals a plain transcription of the kernel's walk written here.
/// </summary>
public class ReferenceScanB_PropertyTests
{
    private static readonly SchedulingRequest Client = ServerList.Client("198.51.100.1");

    public sealed record ServerSpec(int Weight, uint Upper, uint Lower);

    /// <summary>Kind: 0/1 bind active/inactive, 2/3 unbind active/inactive, 4/5 to/from ESTABLISHED, 6 edit weight to Value.</summary>
    public sealed record Event(int Server, int Kind, int Value);

    private static readonly Gen<ServerSpec> GenServer =
        Gen.Select(Gen.Int[0, 10], Gen.Int[0, 6], Gen.Int[0, 6],
            (w, u, l) => new ServerSpec(w, (uint)u, u == 0 ? 0u : (uint)Math.Min(l, u)));

    private static readonly Gen<Event> GenEvent =
        Gen.Select(Gen.Int[0, 39], Gen.Frequency((12, Gen.Int[0, 5]), (1, Gen.Const(6))), Gen.Int[0, 10],
            (s, k, v) => new Event(s, k, v));

    private static readonly Gen<(ServerSpec[] Servers, Event[] Events)> GenCase =
        Gen.Select(GenServer.Array[1, 40], GenEvent.Array[0, 150]);

    // ---- the kernel's walks, transcribed directly ----

    private static bool Usable(RealServer s) => s.Weight > 0 && !s.IsOverloaded;

    private static RealServer? ReferenceLc(IReadOnlyList<RealServer> list)
    {
        RealServer? least = null;
        long loh = 0;
        foreach (var dest in list)
        {
            if (!Usable(dest)) continue;
            long doh = ((long)dest.ActiveConnections << 8) + dest.InactiveConnections;
            if (least is null || doh < loh) { least = dest; loh = doh; }
        }
        return least;
    }

    private static RealServer? ReferenceSed(IReadOnlyList<RealServer> list)
    {
        RealServer? least = null;
        long loh = 0;
        foreach (var dest in list)
        {
            if (!Usable(dest)) continue;
            long doh = dest.ActiveConnections + 1L;
            if (least is null || loh * dest.Weight > doh * least.Weight) { least = dest; loh = doh; }
        }
        return least;
    }

    private static RealServer? ReferenceNq(IReadOnlyList<RealServer> list)
    {
        RealServer? least = null;
        long loh = 0;
        foreach (var dest in list)
        {
            if (!Usable(dest)) continue;
            long doh = dest.ActiveConnections + 1L;
            if (dest.ActiveConnections == 0) return dest;   // idle: returned at once
            if (least is null || loh * dest.Weight > doh * least.Weight) { least = dest; loh = doh; }
        }
        return least;
    }

    /// <summary>ip_vs_twos_schedule with its two random numbers given.</summary>
    private static RealServer? ReferenceTwos(IReadOnlyList<RealServer> list, long rweight1, long rweight2)
    {
        RealServer? choice1 = null, choice2 = null;
        long weight1 = -1, weight2 = -1, overhead1 = 0, overhead2 = 0;
        foreach (var dest in list)
        {
            if (!Usable(dest)) continue;
            choice1 = dest;   // the kernel's first pass leaves the last available server here
        }
        if (choice1 is null) return null;
        foreach (var dest in list)
        {
            if (!Usable(dest)) continue;
            rweight1 -= dest.Weight;
            rweight2 -= dest.Weight;
            if (rweight1 <= 0 && weight1 == -1) { choice1 = dest; weight1 = dest.Weight; overhead1 = dest.Overhead; }
            if (rweight2 <= 0 && weight2 == -1) { choice2 = dest; weight2 = dest.Weight; overhead2 = dest.Overhead; }
            if (weight1 != -1 && weight2 != -1) break;
        }
        if (choice2 is not null && weight2 * overhead1 > weight1 * overhead2) choice1 = choice2;
        return choice1;
    }

    private static long AvailableWeight(IReadOnlyList<RealServer> list)
    {
        long total = 0;
        foreach (var s in list) if (Usable(s)) total += s.Weight;
        return total;
    }

    /// <summary>Draws from a seeded generator and records each (bound, value) pair it handed out.</summary>
    private sealed class RecordingRandom(int seed) : IRandomSource
    {
        private readonly Random _random = new(seed);
        public List<(uint Bound, uint Value)> Draws { get; } = [];

        public uint Next(uint maxExclusive)
        {
            uint value = (uint)_random.NextInt64(maxExclusive);
            Draws.Add((maxExclusive, value));
            return value;
        }
    }

    // ---- the driver ----

    private static RealServer[] Build(ServerSpec[] specs) =>
        specs.Select((s, i) => new RealServer(new IPv4Address(0x0A000001u + (uint)i), 80, s.Weight, s.Upper, s.Lower)).ToArray();

    /// <summary>Applies one event if it is possible (counters never go negative); returns the service to pick from.</summary>
    private static VirtualService Apply(ServiceTable table, VirtualService service, Event e)
    {
        var server = service.RealServers[e.Server % service.RealServers.Count];
        var c = server.Counters;
        switch (e.Kind)
        {
            case 0: c.ConnectionBound(active: true); break;
            case 1: c.ConnectionBound(active: false); break;
            case 2: if (c.Active > 0) c.ConnectionUnbound(active: true); break;
            case 3: if (c.Inactive > 0) c.ConnectionUnbound(active: false); break;
            case 4: if (c.Inactive > 0) c.ConnectionActivityChanged(nowActive: true); break;
            case 5: if (c.Active > 0) c.ConnectionActivityChanged(nowActive: false); break;
            case 6:
                Assert.Equal(TableResult.Ok, table.EditRealServer(service.Key, server.Address, server.Port, e.Value,
                    server.UpperThreshold, server.LowerThreshold, server.ForwardingMethod));
                return table.Current.Find(service.Key)!;
        }
        return service;
    }

    private static void CheckAgainstScan(string scheduler, Func<IReadOnlyList<RealServer>, RealServer?> reference) =>
        GenCase.Sample(c =>
        {
            var (table, service) = ServerList.Publish(scheduler, Build(c.Servers));
            Assert.Same(reference(service.RealServers), service.Scheduler.Pick(Client));
            foreach (var e in c.Events)
            {
                service = Apply(table, service, e);
                Assert.Same(reference(service.RealServers), service.Scheduler.Pick(Client));
            }
        }, iter: 300);

    [Fact]
    public void Lc_AlwaysPicksWhatIpvsLinearScanPicks() => CheckAgainstScan("lc", ReferenceLc);

    [Fact]
    public void Sed_AlwaysPicksWhatIpvsLinearScanPicks() => CheckAgainstScan("sed", ReferenceSed);

    [Fact]
    public void Nq_AlwaysPicksWhatIpvsLinearScanPicks() => CheckAgainstScan("nq", ReferenceNq);

    [Fact]
    public void Twos_WithTheSameRandomNumbers_PicksWhatTheKernelsWalkPicks() =>
        Gen.Select(GenCase, Gen.Int).Sample(t =>
        {
            var (c, seed) = t;
            var random = new RecordingRandom(seed);
            var (table, service) = ServerList.Publish("twos", Build(c.Servers), random: random);
            void Check()
            {
                random.Draws.Clear();
                var picked = service.Scheduler.Pick(Client);
                long total = AvailableWeight(service.RealServers);
                if (total == 0)
                {
                    Assert.Null(picked);
                    Assert.Empty(random.Draws);
                    return;
                }
                Assert.Equal(2, random.Draws.Count);
                Assert.Equal((uint)(total + 1), random.Draws[0].Bound);
                Assert.Equal((uint)(total + 1), random.Draws[1].Bound);
                Assert.Same(ReferenceTwos(service.RealServers, random.Draws[0].Value, random.Draws[1].Value), picked);
            }
            Check();
            foreach (var e in c.Events)
            {
                service = Apply(table, service, e);
                Check();
            }
        }, iter: 300);
}
