using Microsoft.Extensions.Time.Testing;
using UserLvs.Health.Monitoring;
using UserLvs.Health.Tests.Monitoring;
using UserLvs.Scheduling;

namespace UserLvs.Health.Tests.Nanny;

/// <summary>
/// Nanny on a real <see cref="ServiceTable"/> with scripted checks on a fake clock: TCP 192.0.2.10:80
/// with s1 10.0.0.11 (weight 3, thresholds 100/50) and s2 10.0.0.12 (weight 1); timeout 4 s,
/// check_interval 2 s, reentry 6 s. Time moves in check_interval steps.
/// </summary>
public sealed class NannyTests : IDisposable
{
    private static readonly VirtualServiceKey Http = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);
    private static readonly IPv4Address S1 = IPv4Address.Parse("10.0.0.11"), S2 = IPv4Address.Parse("10.0.0.12");
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly ServiceCheckSettings Settings = new()
    {
        Timeout = TimeSpan.FromSeconds(4), CheckInterval = Interval, Reentry = TimeSpan.FromSeconds(6),
    };

    private readonly FakeTimeProvider _time = new();
    private readonly ServiceTable _table = new();
    private readonly ScriptedChecks _checks = new();
    private readonly List<string> _log = [];
    private ServiceCheckSettings _settings = Settings;
    private readonly UserLvs.Health.Nanny _nanny;

    public NannyTests()
    {
        _table.Replace([(new VirtualServiceConfig(Http, "rr"), [new RealServer(S2, 80, 1), new RealServer(S1, 80, 3, 100, 50)])]);
        _nanny = new UserLvs.Health.Nanny(_table, key => key == Http ? _settings : ServiceCheckSettings.Unconfigured, new CheckScheduler(_time), _checks);
        _nanny.Transition += t => _log.Add(t.ToString());
        _nanny.ActionFailed += e => _log.Add("FAILED " + e);
    }

    public void Dispose() => _nanny.Dispose();

    private void Steps(int n)
    {
        for (int i = 0; i < n; i++) _time.Advance(Interval);
    }

    private string Servers(VirtualServiceKey? key = null) =>
        string.Join(" ", _table.Current.Find(key ?? Http)!.RealServers.Select(r => $"{r.Address}:{r.Port}/{r.Weight}"));

    [Fact]
    public void AServerFailingForLessThanTimeout_StaysInTheService()
    {
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(2); // failing since the first of these, for 2 s
        Assert.Equal("10.0.0.12:80/1 10.0.0.11:80/3", Servers());
        Assert.Empty(_log);
    }

    [Fact]
    public void AServerFailingForTimeout_IsRemovedOnce_AndItsMonitorGoesOn()
    {
        _nanny.Start();
        _checks.Fail("10.0.0.11:80", "timed out after 2s");
        Steps(3);
        Assert.Equal("10.0.0.12:80/1", Servers());
        Assert.Equal(["real server 10.0.0.11:80 of TCP 192.0.2.10:80 is down (timed out after 2s): removed"], _log);
        int before = _checks.ChecksOf("10.0.0.11:80");
        Steps(5);
        Assert.Single(_log);
        Assert.Equal(before + 5, _checks.ChecksOf("10.0.0.11:80"));
        Assert.Contains(_nanny.Status(), s => s.Server.Address == S1 && !s.InService && s.LastFailure == "timed out after 2s");
    }

    [Fact]
    public void ARemovedServer_PassingForReentry_IsBackWithItsWeightAndThresholds()
    {
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(3);
        _checks.Pass("10.0.0.11:80");
        Steps(3); // passing since the first of these, for 4 s < 6
        Assert.Equal("10.0.0.12:80/1", Servers());
        Steps(1);
        Assert.Equal("10.0.0.11:80/3 10.0.0.12:80/1", Servers());
        var back = _table.Current.Find(Http)!.FindRealServer(S1, 80)!;
        Assert.Equal((100u, 50u), (back.UpperThreshold, back.LowerThreshold));
        Assert.Equal("real server 10.0.0.11:80 of TCP 192.0.2.10:80 is up (passed for 6s): restored with weight 3", _log[^1]);
    }

    [Fact]
    public void Quiesce_SetsWeightZero_KeepsTheServerListed_AndRestoresItsWeight()
    {
        _settings = Settings with { QuiesceServer = true };
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(3);
        Assert.Equal("10.0.0.12:80/1 10.0.0.11:80/0", Servers());
        Assert.Equal(["real server 10.0.0.11:80 of TCP 192.0.2.10:80 is down (connection refused): quiesced (weight 0)"], _log);
        _checks.Pass("10.0.0.11:80");
        Steps(4);
        Assert.Equal("10.0.0.12:80/1 10.0.0.11:80/3", Servers());
        Assert.Equal(2, _log.Count);
    }

    [Fact]
    public void SorryServer_TakesOverWhileEveryServerIsOut_AndLeavesWhenOneReturns()
    {
        _settings = Settings with { SorryServer = new SorryServer(IPv4Address.Parse("10.0.0.99"), 8080) };
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(3);
        Assert.Equal("10.0.0.12:80/1", Servers());
        _checks.Fail("10.0.0.12:80");
        Steps(3);
        Assert.Equal("10.0.0.99:8080/1", Servers());
        Assert.Equal("every real server of TCP 192.0.2.10:80 is down: sorry server 10.0.0.99:8080 added (weight 1)", _log[^1]);
        Assert.Equal(2, _nanny.Status().Count); // the sorry server is not monitored
        _checks.Pass("10.0.0.12:80");
        Steps(4);
        Assert.Equal("10.0.0.12:80/1", Servers());
        Assert.Equal("a real server of TCP 192.0.2.10:80 is up: sorry server 10.0.0.99:8080 removed", _log[^1]);
    }

    [Fact]
    public void SorryServer_WithQuiesce_ComesInWhileEveryServerIsAtWeightZero()
    {
        _settings = Settings with { QuiesceServer = true, SorryServer = new SorryServer(IPv4Address.Parse("10.0.0.99"), 80) };
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        _checks.Fail("10.0.0.12:80");
        Steps(3);
        Assert.Equal("10.0.0.99:80/1 10.0.0.12:80/0 10.0.0.11:80/0", Servers());
    }

    [Fact]
    public void AdmAddAndDelete_StartAndStopMonitors_UnconfiguredServicesGetPlainChecks()
    {
        _nanny.Start();
        Assert.Equal(2, _nanny.Status().Count);
        Assert.Equal(TableResult.Ok, _table.AddRealServer(Http, new RealServer(IPv4Address.Parse("10.0.0.13"), 80, 2)));
        Assert.Equal(3, _nanny.Status().Count);
        Assert.Equal(TableResult.Ok, _table.DeleteRealServer(Http, S2, 80));
        Assert.Equal([S1, IPv4Address.Parse("10.0.0.13")], _nanny.Status().Select(s => s.Server.Address).Order());
        int s2Checks = _checks.ChecksOf("10.0.0.12:80");
        Steps(3);
        Assert.Equal(s2Checks, _checks.ChecksOf("10.0.0.12:80"));

        var other = new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 443);
        _table.AddService(new VirtualServiceConfig(other));
        _table.AddRealServer(other, new RealServer(S1, 443));
        Assert.Equal(3, _nanny.Status().Count);
        Assert.Equal(ServiceCheckSettings.Unconfigured, _checks.Built[^1].Settings);
        _table.DeleteService(other);
        Assert.Equal(2, _nanny.Status().Count);
        Assert.Empty(_log);
    }

    [Fact]
    public void AChecksKind_IsChosenByTheVirtualPort_AsNannysIs_NotByTheServersPort()
    {
        _nanny.Start();
        var translated = new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("192.0.2.11"), 80);
        _table.AddService(new VirtualServiceConfig(translated));
        _table.AddRealServer(translated, new RealServer(S1, 8080));

        Assert.Equal(80, _checks.Built[^1].Port);
    }

    [Fact]
    public void RepeatedPublishes_NeverDuplicateMonitors()
    {
        _nanny.Start();
        var desired = _table.Current.Services.Select(s => (s.Config, (IReadOnlyList<RealServer>)s.RealServers.Select(r => new RealServer(r.Address, r.Port, r.Weight, r.UpperThreshold, r.LowerThreshold)).ToList())).ToList();
        for (int i = 0; i < 10; i++) _table.Replace(desired);
        _table.EditService(new VirtualServiceConfig(Http, "wlc"));
        Assert.Equal(2, _nanny.Status().Count);
        Assert.Equal(2, _checks.Built.Count);
        Steps(1);
        Assert.Equal(2, _checks.ChecksOf("10.0.0.11:80"));
    }

    [Fact]
    public void AReloadThatPutsAFailedServerBack_WithSameSettings_TakesItOutAgain_WithoutANewTransition()
    {
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(3);
        _nanny.Reload(key => key == Http ? _settings : ServiceCheckSettings.Unconfigured,
            () => _table.Replace([(new VirtualServiceConfig(Http, "rr"), [new RealServer(S2, 80, 1), new RealServer(S1, 80, 5)])]));
        Assert.Equal("10.0.0.12:80/1", Servers());
        Assert.Single(_log);
        _checks.Pass("10.0.0.11:80");
        Steps(4);
        Assert.Equal("10.0.0.11:80/5 10.0.0.12:80/1", Servers()); // the reload's weight
    }

    [Fact]
    public void AReloadThatNoLongerConfiguresARemovedServer_StopsCheckingIt_AndNeverPutsItBack()
    {
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(3);
        Assert.Equal("10.0.0.12:80/1", Servers());

        _nanny.Reload(key => key == Http ? _settings : ServiceCheckSettings.Unconfigured,
            () => _table.Replace([(new VirtualServiceConfig(Http, "rr"), [new RealServer(S2, 80, 1)])]));
        _checks.Pass("10.0.0.11:80");   // repaired, or its address reused
        int checks = _checks.ChecksOf("10.0.0.11:80");
        Steps(10);

        Assert.Equal("10.0.0.12:80/1", Servers());
        Assert.Equal(checks, _checks.ChecksOf("10.0.0.11:80"));
        Assert.Equal([S2], _nanny.Status().Select(s => s.Server.Address));
    }

    [Fact]
    public void NewSettings_RestartTheServicesMonitors_PuttingTakenOutServersBack()
    {
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(3);
        _settings = Settings with { Timeout = TimeSpan.FromSeconds(8) };
        _nanny.Reconfigure(key => key == Http ? _settings : ServiceCheckSettings.Unconfigured);
        Assert.Equal("10.0.0.11:80/3 10.0.0.12:80/1", Servers());
        Assert.Equal(4, _checks.Built.Count);
        Assert.All(_checks.Built.TakeLast(2), b => Assert.Equal(TimeSpan.FromSeconds(8), b.Settings.Timeout));
        Assert.Equal(2, _nanny.Status().Count);
    }

    [Fact]
    public void AnOperatorAddingBackARemovedServer_RestartsItsMonitorInService()
    {
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        Steps(3);
        Assert.Equal(TableResult.Ok, _table.AddRealServer(Http, new RealServer(S1, 80, 7)));
        Assert.All(_nanny.Status(), s => Assert.True(s.InService));
        Steps(3); // still failing: out again after timeout
        Assert.Equal("10.0.0.12:80/1", Servers());
        _checks.Pass("10.0.0.11:80");
        Steps(4);
        Assert.Equal("10.0.0.11:80/7 10.0.0.12:80/1", Servers());
    }

    [Fact]
    public void AServiceWithNoRealServerAtAll_GetsItsSorryServer_AsPiranhasLvsdAddsIt()
    {
        // Every server set to active = 0 for maintenance: the service is in the table, empty.
        _settings = Settings with { SorryServer = new SorryServer(IPv4Address.Parse("10.0.0.99"), 80) };
        _table.Replace([(new VirtualServiceConfig(Http, "rr"), [])]);

        _nanny.Start();

        Assert.Equal("10.0.0.99:80/1", Servers());
        Assert.Empty(_nanny.Status());
    }

    [Fact]
    public void Stop_PutsTakenOutServersBack_RemovesTheSorryServer_AndChecksNoMore()
    {
        _settings = Settings with { SorryServer = new SorryServer(IPv4Address.Parse("10.0.0.99"), 80) };
        _nanny.Start();
        _checks.Fail("10.0.0.11:80");
        _checks.Fail("10.0.0.12:80");
        Steps(3);
        Assert.Equal("10.0.0.99:80/1", Servers());
        _nanny.Stop();
        Assert.Equal("10.0.0.11:80/3 10.0.0.12:80/1", Servers()); // added back at the head, as ipvsadm -a does
        Assert.Empty(_nanny.Status());
        int checks = _checks.ChecksOf("10.0.0.11:80");
        Steps(5);
        Assert.Equal(checks, _checks.ChecksOf("10.0.0.11:80"));
        _nanny.Start();
        Assert.Equal(2, _nanny.Status().Count);
    }
}
