using CsCheck;

namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// rr, wrr, fo and ovf against plain references that do what IPVS does: fo and ovf scan the list on
/// every pick (ip_vs_fo.c, ip_vs_ovf.c); rr and wrr walk the list from a remembered position
/// (ip_vs_rr.c, ip_vs_wrr.c) and adjust it on destination changes as ip_vs_rr_del_dest and
/// ip_vs_wrr_dest_changed do. Random services (1..40 servers, weights 0..10, thresholds) are
/// published through a real <see cref="ServiceTable"/>; random steps pick (and bind a connection to
/// the chosen server), bind, unbind, flip connections between active and inactive, edit a weight,
/// add or delete a server. Every pick must equal the reference's.
/// </summary>
public class ReferenceScanA_PropertyTests
{
    private static readonly VirtualServiceKey Key = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);

    public sealed record ServerSpec(int Weight, uint Upper, uint Lower);

    public sealed record Step(int Kind, int Target, bool Active, int Weight);

    /// <summary>Weights are rounded down to multiples of <paramref name="Multiple"/>, so that wrr's gcd is often above 1.</summary>
    public sealed record Scenario(ServerSpec[] Servers, Step[] Steps, int CycleBound, int Multiple)
    {
        public int WeightOf(int weight, bool roundDown) => roundDown ? weight / Multiple * Multiple : weight;
    }

    private static readonly Gen<ServerSpec> GenServer = Gen.Select(Gen.Int[0, 10], Gen.Int[0, 8], Gen.Int[0, 8], (w, u, l) =>
    {
        uint upper = u < 3 ? 0u : (uint)(u - 2);   // about a third without an upper threshold
        return new ServerSpec(w, upper, upper == 0 ? 0u : Math.Min((uint)l, upper));
    });

    private static readonly Gen<Step> GenStep = Gen.Select(Gen.Int[0, 99], Gen.Int[0, 1000], Gen.Bool, Gen.Int[0, 10],
        (kind, target, active, weight) => new Step(kind, target, active, weight));

    private static readonly Gen<Scenario> GenScenario = Gen.Select(GenServer.Array[1, 40], GenStep.Array[1, 200], Gen.Int[0, 40], Gen.Int[1, 4],
        (servers, steps, bound, multiple) => new Scenario(
            servers.Select(s => s with { Weight = s.Weight / multiple * multiple }).ToArray(), steps, bound, multiple));

    private enum Change { Added, Deleted, Edited }

    [Fact]
    public void WeightedFailover_PicksWhatIpvsScanPicks() =>
        GenScenario.Sample(s => Run("fo", s, _ => { }, (service, _) => Check(ReferenceFailover(service.RealServers), service)), iter: 300);

    [Fact]
    public void WeightedOverflow_PicksWhatIpvsScanPicks() =>
        GenScenario.Sample(s => Run("ovf", s, _ => { }, (service, _) => Check(ReferenceOverflow(service.RealServers), service)), iter: 300);

    [Fact]
    public void RoundRobin_PicksTheSequenceIpvsWalkPicks() =>
        GenScenario.Sample(s =>
        {
            var reference = new ReferenceRoundRobin();
            Run("rr", s, change => reference.Changed(change.Kind, change.Index),
                (service, _) => Check(reference.Pick(service.RealServers), service));
        }, iter: 300);

    [Fact]
    public void WeightedRoundRobin_PicksTheSequenceIpvsWalkPicks_WithAndWithoutAPrecomputedCycle() =>
        GenScenario.Sample(s =>
        {
            // The published scheduler was built by adding the servers one by one, as ipvsadm -a does.
            var published = new ReferenceWeightedRoundRobin();
            var initial = Servers(s.Servers);
            for (int i = initial.Length - 1; i >= 0; i--) published.Changed(initial[i..]);
            // A second scheduler over the same servers, with a small bound so it often walks instead.
            WeightedRoundRobinScheduler? other = null;
            var otherReference = new ReferenceWeightedRoundRobin();
            Run("wrr", s,
                change =>
                {
                    published.Changed(change.Servers);
                    if (other is null) return;
                    other = new WeightedRoundRobinScheduler(new SchedulerContext(change.Servers, Previous: other), s.CycleBound);
                    otherReference.Changed(change.Servers);
                },
                (service, first) =>
                {
                    if (first)
                    {
                        other = new WeightedRoundRobinScheduler(new SchedulerContext(service.RealServers), s.CycleBound);
                        otherReference.Init(service.RealServers);
                    }
                    var expectedOther = otherReference.Pick(service.RealServers);
                    Assert.Same(expectedOther, other!.Pick(ServerList.Client("198.51.100.1")));
                    return Check(published.Pick(service.RealServers), service);
                });
        }, iter: 300);

    private static RealServer[] Servers(ServerSpec[] specs) =>
        specs.Select((spec, i) => new RealServer(new IPv4Address(0x0A000001u + (uint)i), 80, spec.Weight, spec.Upper, spec.Lower)).ToArray();

    private static RealServer? Check(RealServer? expected, VirtualService service)
    {
        var actual = service.Scheduler.Pick(ServerList.Client("198.51.100.1"));
        Assert.Same(expected, actual);
        return actual;
    }

    private readonly record struct TableChange(Change Kind, int Index, IReadOnlyList<RealServer> Servers);

    /// <summary>Publishes the servers, then plays the steps; <paramref name="pick"/> checks one pick and returns the chosen server.</summary>
    private static void Run(string scheduler, Scenario scenario, Action<TableChange> changed, Func<VirtualService, bool, RealServer?> pick)
    {
        var (table, _) = ServerList.Publish(scheduler, Servers(scenario.Servers));
        uint nextAddress = 0x0A000101u;
        bool first = true;
        foreach (var step in scenario.Steps)
        {
            var service = table.Current.Find(Key)!;
            var servers = service.RealServers;
            var target = servers.Count == 0 ? null : servers[step.Target % servers.Count];
            var counters = target?.Counters;
            switch (step.Kind)
            {
                case < 40:
                    pick(service, first)?.Counters.ConnectionBound(step.Active);
                    first = false;
                    break;
                case < 55:
                    counters?.ConnectionBound(step.Active);
                    break;
                case < 70:
                    if (counters is not null && (step.Active ? counters.Active : counters.Inactive) > 0)
                        counters.ConnectionUnbound(step.Active);
                    break;
                case < 80:
                    if (counters is not null && (step.Active ? counters.Inactive : counters.Active) > 0)
                        counters.ConnectionActivityChanged(nowActive: step.Active);
                    break;
                case < 88:
                    if (target is null) break;
                    Assert.Equal(TableResult.Ok, table.EditRealServer(Key, target.Address, target.Port, scenario.WeightOf(step.Weight, step.Target % 5 != 0),
                        target.UpperThreshold, target.LowerThreshold, target.ForwardingMethod));
                    changed(new TableChange(Change.Edited, step.Target % servers.Count, table.Current.Find(Key)!.RealServers));
                    break;
                case < 94:
                    var added = new RealServer(new IPv4Address(nextAddress++), 80, scenario.WeightOf(step.Weight, step.Target % 5 != 0),
                        step.Active ? 2u : 0u);
                    Assert.Equal(TableResult.Ok, table.AddRealServer(Key, added));
                    changed(new TableChange(Change.Added, 0, table.Current.Find(Key)!.RealServers));
                    break;
                default:
                    if (target is null) break;
                    Assert.Equal(TableResult.Ok, table.DeleteRealServer(Key, target.Address, target.Port));
                    changed(new TableChange(Change.Deleted, step.Target % servers.Count, table.Current.Find(Key)!.RealServers));
                    break;
            }
        }
    }

    // ip_vs_fo_schedule: the first server, in list order, of strictly greatest weight among the non-overloaded.
    private static RealServer? ReferenceFailover(IReadOnlyList<RealServer> servers)
    {
        RealServer? best = null;
        int bestWeight = 0;
        foreach (var server in servers)
        {
            if (!server.IsOverloaded && server.Weight > bestWeight)
            {
                best = server;
                bestWeight = server.Weight;
            }
        }
        return best;
    }

    // ip_vs_ovf_schedule: skip overloaded, active > weight, weight 0; then the first of strictly greatest weight.
    private static RealServer? ReferenceOverflow(IReadOnlyList<RealServer> servers)
    {
        RealServer? best = null;
        foreach (var server in servers)
        {
            int w = server.Weight;
            if (server.IsOverloaded || server.ActiveConnections > w || w == 0) continue;
            if (best is null || w > best.Weight) best = server;
        }
        return best;
    }

    /// <summary>ip_vs_rr.c: the list position chosen last (-1 = the list head), kept across changes.</summary>
    private sealed class ReferenceRoundRobin
    {
        private int _last = -1;

        public RealServer? Pick(IReadOnlyList<RealServer> servers)
        {
            int n = servers.Count;
            for (int k = 0; k < n; k++)
            {
                int d = (_last + 1 + k) % n;
                if (servers[d].Weight > 0 && !servers[d].IsOverloaded)
                {
                    _last = d;
                    return servers[d];
                }
            }
            return null;
        }

        public void Changed(Change kind, int index)
        {
            // A new server goes in front of everything; a deleted remembered server hands its place
            // to its predecessor (ip_vs_rr_del_dest); an edit changes no position.
            if (kind == Change.Added && _last >= 0) _last++;
            if (kind == Change.Deleted && _last >= index) _last--;
        }
    }

    /// <summary>ip_vs_wrr.c as the kernel runs it: a (position, cw) walk, one server at a time.</summary>
    private sealed class ReferenceWeightedRoundRobin
    {
        private int _cl = -1, _cw, _mw, _di = 1;

        public void Init(IReadOnlyList<RealServer> servers)
        {
            (_di, _mw) = GcdAndMw(servers);
            _cl = -1;
            _cw = _mw;
        }

        public void Changed(IReadOnlyList<RealServer> servers)
        {
            (_di, _mw) = GcdAndMw(servers);
            _cl = -1;
            if (_cw > _mw || _cw == 0) _cw = _mw;
            else if (_di > 1) _cw = _cw / _di * _di + 1;
        }

        public RealServer? Pick(IReadOnlyList<RealServer> servers)
        {
            if (_mw == 0) return null;
            int n = servers.Count, last = _cl, d = _cl, stop = int.MinValue;
            bool lastPass = false, restarted = false;
            while (true)
            {
                for (d++; d < n; d++)
                {
                    if (!servers[d].IsOverloaded && servers[d].Weight >= _cw)
                    {
                        _cl = d;
                        return servers[d];
                    }
                    if (d == stop)
                    {
                        _cl = d;
                        return null;
                    }
                }
                _cw -= _di;
                if (_cw <= 0)
                {
                    _cw = _mw;
                    if (lastPass || last == -1)
                    {
                        _cl = -1;
                        return null;
                    }
                    restarted = true;
                }
                lastPass = _cw <= _di;
                if (lastPass && restarted && last != -1) stop = last;
                d = -1;
            }
        }

        private static (int Di, int Mw) GcdAndMw(IReadOnlyList<RealServer> servers)
        {
            int g = 0, max = 0;
            foreach (var server in servers)
            {
                int w = server.Weight;
                if (w > 0) g = g == 0 ? w : (int)System.Numerics.BigInteger.GreatestCommonDivisor(g, w);
                max = Math.Max(max, w);
            }
            int di = g == 0 ? 1 : g;
            return (di, max - (di - 1));
        }
    }
}
