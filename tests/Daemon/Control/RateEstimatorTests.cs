using UserLvs.Control;
using UserLvs.Daemon.Control;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Control;

/// <summary>
/// ipvsadm --rate as IPVS computes it (ip_vs_est.c): every 2 s each service's and each real server's
/// counters are read, the period's rate is taken, and the shown average moves a quarter of the way
/// to it: avg += (rate - avg) / 4. IPVS keeps the averages as scaled integers, connections and
/// packets per second x 2^10 (rate = delta &lt;&lt; 9), bytes per second x 2^5 (rate = delta &lt;&lt; 4), shifts
/// right by 2 (rounding towards minus infinity) and shows (avg + 0x1FF) &gt;&gt; 10 and (avg + 0xF) &gt;&gt; 5,
/// so a half rounds down. -Z resets the averages to 0 (ip_vs_zero_estimator). The periods here are
/// run by hand (Sample); the traffic is added to a worker's stripe as the data plane adds it.
/// </summary>
public class RateEstimatorTests
{
    private static readonly VirtualServiceKey Web = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);

    private sealed class Lab : IDisposable
    {
        public ServiceTable Table { get; } = new();

        public RateEstimator Rates { get; }

        public Lab()
        {
            Rates = new RateEstimator(() => Table.Current, start: false);
            Assert.Equal(TableResult.Ok, Table.AddService(new VirtualServiceConfig(Web, "rr")));
            Assert.Equal(TableResult.Ok, Table.AddRealServer(Web, new RealServer(IPv4Address.Parse("10.0.0.11"), 80)));
        }

        public VirtualService Service => Table.Current.Find(Web)!;

        /// <summary>The traffic of 10.0.0.11, the server every period's traffic goes to.</summary>
        public TrafficCounters ServerTraffic => Service.RealServers.Single(s => s.Address == IPv4Address.Parse("10.0.0.11")).Counters.Traffic;

        /// <summary>One 2-second period in which the service (and its one server) carried this traffic.</summary>
        public void Period(long connections, long packetsIn = 0, long packetsOut = 0, long bytesIn = 0, long bytesOut = 0)
        {
            foreach (var counters in new[] { Service.Traffic, ServerTraffic })
            {
                ref var stripe = ref counters.For(0);
                stripe.Connections += connections;
                stripe.PacketsIn += packetsIn;
                stripe.PacketsOut += packetsOut;
                stripe.BytesIn += bytesIn;
                stripe.BytesOut += bytesOut;
            }
            Rates.Sample();
        }

        public (ulong Connections, ulong InPackets, ulong OutPackets, ulong InBytes, ulong OutBytes) Shown => Rates.RatesOf(Service.Traffic);

        public void Dispose() => Rates.Dispose();
    }

    [Fact]
    public void Rates_ThreeBusyPeriodsThenQuiet_RiseAndDecayByAQuarterEachPeriod()
    {
        using var lab = new Lab();
        lab.Rates.Sample(); // the estimator meets the service with nothing counted yet

        var shown = new List<(ulong, ulong, ulong, ulong, ulong)>();
        for (int i = 0; i < 3; i++)
        {
            lab.Period(200, packetsIn: 2400, packetsOut: 1600, bytesIn: 400_000, bytesOut: 2_000_000);
            shown.Add(lab.Shown);
        }
        for (int i = 0; i < 3; i++)
        {
            lab.Period(0);
            shown.Add(lab.Shown);
        }

        // Per second in each busy period: 100 conns, 1200 / 800 packets, 200,000 / 1,000,000 bytes.
        // avg: 1/4, 7/16, 37/64 of that while busy, then x 3/4 per quiet period.
        Assert.Equal(
        [
            (25ul, 300ul, 200ul, 50_000ul, 250_000ul),
            (44ul, 525ul, 350ul, 87_500ul, 437_500ul),
            (58ul, 694ul, 462ul, 115_625ul, 578_125ul),
            (43ul, 520ul, 347ul, 86_719ul, 433_594ul),
            (33ul, 390ul, 260ul, 65_039ul, 325_195ul),
            (24ul, 293ul, 195ul, 48_779ul, 243_896ul),
        ], shown);
    }

    [Fact]
    public void Rates_EachRealServer_HasItsOwnEstimate()
    {
        using var lab = new Lab();
        Assert.Equal(TableResult.Ok, lab.Table.AddRealServer(Web, new RealServer(IPv4Address.Parse("10.0.0.12"), 80)));
        lab.Rates.Sample();
        var quiet = lab.Service.RealServers.Single(s => s.Address == IPv4Address.Parse("10.0.0.12"));

        lab.Period(40, packetsIn: 400);

        Assert.Equal((5ul, 50ul, 0ul, 0ul, 0ul), lab.Rates.RatesOf(lab.ServerTraffic));
        Assert.Equal((0ul, 0ul, 0ul, 0ul, 0ul), lab.Rates.RatesOf(quiet.Counters.Traffic));
    }

    [Fact]
    public void Rates_SurviveAnEditOfTheServer_TheCountersAreTheSame()
    {
        using var lab = new Lab();
        lab.Rates.Sample();
        lab.Period(80);
        Assert.Equal(TableResult.Ok, lab.Table.EditRealServer(Web, IPv4Address.Parse("10.0.0.11"), 80, 5, 0, 0, ForwardingMethod.Masquerade));

        Assert.Equal(10ul, lab.Rates.RatesOf(lab.ServerTraffic).Connections);
        Assert.Equal(10ul, lab.Shown.Connections);
    }

    [Fact]
    public void Rates_BeforeAnyPeriod_AreZero()
    {
        using var lab = new Lab();

        Assert.Equal((0ul, 0ul, 0ul, 0ul, 0ul), lab.Shown);
    }

    [Fact]
    public void Rates_FollowIpvsScaledIntegerArithmetic_HalvesRoundDown()
    {
        using var lab = new Lab();
        lab.Rates.Sample();
        var connections = new List<ulong>();
        var bytes = new List<ulong>();

        lab.Period(80, bytesIn: 10_000);
        connections.Add(lab.Shown.Connections);
        bytes.Add(lab.Shown.InBytes);
        for (int i = 0; i < 4; i++)
        {
            lab.Period(0);
            connections.Add(lab.Shown.Connections);
            bytes.Add(lab.Shown.InBytes);
        }

        // cps x 1024: 10240, 7680 (7.5 -> 7), 5760, 4320, 3240.
        Assert.Equal([10ul, 7ul, 6ul, 4ul, 3ul], connections);
        // Bps x 32: 40000, 30000 (937.5 -> 937), 22500, 16875, 12657 (395.53 -> 395; in reals 395.5078 -> 396).
        Assert.Equal([1250ul, 937ul, 703ul, 527ul, 395ul], bytes);
    }

    [Fact]
    public void Zero_ResetsTheRates_AndTheNextPeriodCountsFromZero()
    {
        using var lab = new Lab();
        lab.Rates.Sample();
        lab.Period(200);
        Assert.Equal(25ul, lab.Shown.Connections);
        var handler = new ControlHandler(lab.Table, new UserLvs.Forwarder.Connections.IpvsTimeouts(),
            () => [], new UserLvs.Forwarder.Connections.PersistenceTemplateTable(16), lab.Rates);

        Assert.Equal(TableResult.Ok, handler.Zero(null));

        Assert.Equal((0ul, 0ul, 0ul, 0ul, 0ul), lab.Shown);
        lab.Period(80);
        Assert.Equal(10ul, lab.Shown.Connections);
        Assert.Equal(new StatsInfo(80, 0, 0, 0, 0, 10), handler.GetServices().Services[0].Stats);
    }

    [Fact]
    public void Rates_ANewServicesFirstPeriod_CountsItsTrafficSinceItWasAdded()
    {
        using var lab = new Lab(); // no sample before the traffic: the service is new in this period

        lab.Period(80, packetsIn: 800);

        Assert.Equal((10ul, 100ul, 0ul, 0ul, 0ul), lab.Shown);
    }
}
