using System.Net;
using Microsoft.Extensions.Time.Testing;
using UserLvs.Daemon.Config;
using UserLvs.Daemon.Health;
using UserLvs.Daemon.Metrics;
using UserLvs.Daemon.Tests.Config;
using UserLvs.Daemon.Tests.Control;
using UserLvs.Health;
using UserLvs.Health.Checks;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Health;

/// <summary>nanny wired to lvs.cf: the settings each virtual gives its monitors, logs, counts, reloads.</summary>
public sealed class NannyHostTests : IDisposable
{
    private static readonly VirtualServiceKey Web = new(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceTable _table = new();
    private readonly RecordingLogger _log = new();
    private readonly Checks _checks = new();
    private NannyHost? _host;

    public void Dispose() => _host?.Dispose();

    private static LvsConfig Config(string timing, params int[] servers) => Lvs.Load(Lvs.Lines([
        "nat_router = 10.0.0.1 eth1",
        "virtual web {", "    active = 1", "    address = 192.0.2.10 eth0:1", "    port = 80", timing,
        .. servers.SelectMany(i => new[] { $"    server s{i} {{", $"        address = 10.0.0.{10 + i}", "        active = 1", "        weight = 2", "    }" }),
        "}"]));

    private NannyHost Start(LvsConfig config)
    {
        _table.Replace(config.ToDesiredTable());
        _host = new NannyHost(_table, config, _log, _time, _checks);
        _host.Start();
        return _host;
    }

    [Fact]
    public void SettingsFrom_CarriesEveryNannyKeyOfTheVirtual()
    {
        var config = Lvs.Load(Lvs.Lines([
            "nat_router = 10.0.0.1 eth1",
            "virtual web {", "    active = 1", "    address = 192.0.2.10 eth0:1", "    port = 80",
            "    send = \"GET / HTTP/1.0\\r\\n\\r\\n\"", "    expect = \"HTTP/1\\.[01] 200\"", "    use_regex = 1",
            "    timeout = 6", "    reentry = 15", "    quiesce_server = 1", "    sorry_server = 10.0.0.99",
            "    load_monitor = ruptime",
            "}"]));
        var settings = NannyHost.SettingsFrom(config)[Web];
        Assert.Equal(new ServiceCheckSettings
        {
            Send = "GET / HTTP/1.0\\r\\n\\r\\n", Expect = "HTTP/1\\.[01] 200", UseRegex = true,
            Timeout = TimeSpan.FromSeconds(6), Reentry = TimeSpan.FromSeconds(15), CheckInterval = TimeSpan.FromSeconds(6),
            QuiesceServer = true, SorryServer = new SorryServer(IPv4Address.Parse("10.0.0.99"), 80), LoadMonitor = LoadMonitor.Ruptime,
        }, settings);
    }

    [Fact]
    public void SettingsFrom_ChecksIntervalAndSendProgram()
    {
        var settings = NannyHost.SettingsFrom(Config("    check_interval = 0.5\n    timeout = 1\n    send_program = \"/usr/local/bin/check %h %p\"", 1))[Web];
        Assert.Equal((TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), "/usr/local/bin/check %h %p"), (settings.CheckInterval, settings.Timeout, settings.SendProgram));
        Assert.Equal(TimeSpan.FromSeconds(0.5), settings.CheckDeadline);
    }

    [Fact]
    public void AFailedServer_IsLoggedOnceWithItsReason_CountedAndReportedDown()
    {
        var host = Start(Config("    timeout = 2\n    reentry = 2", 1, 2));
        _checks.Failing["10.0.0.12:80"] = "connection refused";
        for (int i = 0; i < 5; i++) _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal([IPv4Address.Parse("10.0.0.11")], _table.Current.Find(Web)!.RealServers.Select(r => r.Address));
        Assert.Equal(["Warning: nanny: real server 10.0.0.12:80 of TCP 192.0.2.10:80 is down (connection refused): removed"],
            _log.Lines.Where(l => l.Contains("is down")));
        IStatusSource source = host;
        Assert.Contains(new RealServerHealth(Web, IPv4Address.Parse("10.0.0.12"), 80, false), source.RealServers);
        Assert.Contains(new RealServerHealth(Web, IPv4Address.Parse("10.0.0.11"), 80, true), source.RealServers);
        Assert.Equal([new RealServerTransitions(Web, IPv4Address.Parse("10.0.0.12"), 80, 1, 0)], source.Transitions);

        _checks.Failing.Clear();
        for (int i = 0; i < 3; i++) _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _table.Current.Find(Web)!.FindRealServer(IPv4Address.Parse("10.0.0.12"), 80)!.Weight);
        Assert.Contains("Information: nanny: real server 10.0.0.12:80 of TCP 192.0.2.10:80 is up (passed for 2s): restored with weight 2", _log.Lines);
        Assert.Equal([new RealServerTransitions(Web, IPv4Address.Parse("10.0.0.12"), 80, 1, 1)], source.Transitions);
    }

    [Fact]
    public void AServerAnOperatorPutBack_IsReportedUp_NotAsItsLastLoggedChange()
    {
        var host = Start(Config("    timeout = 2\n    reentry = 2", 1, 2));
        _checks.Failing["10.0.0.12:80"] = "connection refused";
        for (int i = 0; i < 5; i++) _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("down", host.StatusForAdm().Single(s => s.Address == "10.0.0.12").State);

        Assert.Equal(TableResult.Ok, _table.AddRealServer(Web, new RealServer(IPv4Address.Parse("10.0.0.12"), 80, 2)));   // ipvsadm -a

        var status = host.StatusForAdm().Single(s => s.Address == "10.0.0.12");
        Assert.Equal("up", status.State);
        Assert.StartsWith("put back without a check", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_FollowsTheNewConfig_AndARefusedReloadChangesNothing()
    {
        var host = Start(Config("    timeout = 2", 1, 2));
        Assert.Equal(2, host.Status().Count);

        var next = Config("    timeout = 4", 2, 3);
        host.Reload(next, () => _table.Replace(next.ToDesiredTable()));
        Assert.Equal(["10.0.0.12", "10.0.0.13"], host.Status().Select(s => s.Server.Address.ToString()).Order());
        Assert.All(_checks.Built.TakeLast(2), s => Assert.Equal(TimeSpan.FromSeconds(4), s.Timeout));
        int built = _checks.Built.Count;

        Assert.Throws<InvalidOperationException>(() => host.Reload(Config("    timeout = 8", 2, 3), () => throw new InvalidOperationException("refused")));
        Assert.Equal(built, _checks.Built.Count);
    }

    [Fact]
    public void LoadMonitor_IsReportedAsNotImplemented()
    {
        Start(Config("    load_monitor = uptime", 1));
        Assert.Contains(_log.Lines, l => l.StartsWith("Warning: nanny: load_monitor = uptime in virtual web") && l.Contains("not implemented"));
    }

    private sealed class Checks : ICheckFactory
    {
        public Dictionary<string, string> Failing { get; } = [];

        public List<ServiceCheckSettings> Built { get; } = [];

        public IHealthCheck Create(ServiceCheckSettings settings, Protocol protocol, ushort serverPort)
        {
            Built.Add(settings);
            return new Check(this);
        }

        private sealed class Check(Checks owner) : IHealthCheck
        {
            public ValueTask<CheckResult> CheckAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken) =>
                ValueTask.FromResult(owner.Failing.TryGetValue(server.ToString(), out var reason) ? CheckResult.Fail(reason) : CheckResult.Pass);
        }
    }
}
