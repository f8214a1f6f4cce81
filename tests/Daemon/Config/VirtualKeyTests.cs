using UserLvs.Daemon.Config;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>lvs.cf(5) virtual keys: each value as written, and Piranha's default when absent.</summary>
public class VirtualKeyTests
{
    private static readonly LvsVirtualServer Defaults = Lvs.WithVirtual();

    [Fact]
    public void Address_IsVipAndDevice_ThePublicInterfaceIsItsBaseDevice()
    {
        Assert.Equal(new InterfaceAddress(IPv4Address.Parse("192.0.2.10"), "eth0:1"), Defaults.Address);
        Assert.Equal("eth0", Defaults.Address.BaseDevice);
    }

    [Fact]
    public void Port_IsRead()
    {
        Assert.Equal((ushort)80, Defaults.Port);
    }

    [Fact]
    public void VipNmask_IsRead_DefaultIsAllOnes()
    {
        Assert.Equal(IPv4Address.Parse("255.255.255.0"), Lvs.WithVirtual("vip_nmask = 255.255.255.0").VipNetmask);
        Assert.Equal(IPv4Address.Parse("255.255.255.255"), Defaults.VipNetmask);
    }

    [Fact]
    public void Protocol_IsRead_DefaultIsTcp()
    {
        Assert.Equal(Protocol.Udp, Lvs.WithVirtual("protocol = udp").Protocol);
        Assert.Equal(Protocol.Tcp, Defaults.Protocol);
    }

    [Fact]
    public void Active_IsRead()
    {
        Assert.True(Defaults.Active);
    }

    [Fact]
    public void Active_Absent_IsInactiveAsInPiranha_WithAWarning()
    {
        var text = Lvs.Lines("nat_router = 10.0.0.1 eth1", "virtual web {", "    address = 192.0.2.10 eth0", "    port = 80", "}");
        Assert.False(Lvs.Load(text).VirtualServers[0].Active);
        Assert.Equal(["lvs.cf:2: warning: virtual 'web' has no 'active' line, so it stays inactive (as in Piranha); add 'active = 1' to serve it"],
            Lvs.Warnings(text));
    }

    [Theory]
    [InlineData("rr")]
    [InlineData("wrr")]
    [InlineData("lc")]
    [InlineData("wlc")]
    [InlineData("lblc")]
    [InlineData("lblcr")]
    [InlineData("dh")]
    [InlineData("sh")]
    [InlineData("sed")]
    [InlineData("nq")]
    [InlineData("mh")]
    [InlineData("fo")]
    [InlineData("ovf")]
    [InlineData("twos")]
    public void Scheduler_EveryIpvsName_IsAccepted(string name)
    {
        Assert.Equal(name, Lvs.WithVirtual($"scheduler = {name}").Scheduler);
    }

    [Fact]
    public void Scheduler_DefaultIsWlc()
    {
        Assert.Equal("wlc", Defaults.Scheduler);
    }

    [Fact]
    public void PersistentAndPmask_AreRead_DefaultsAreOffAndAllOnes()
    {
        var v = Lvs.WithVirtual("persistent = 300", "pmask = 255.255.255.0");
        Assert.Equal(300u, v.Persistent);
        Assert.Equal(IPv4Address.Parse("255.255.255.0"), v.PersistenceNetmask);
        Assert.Equal(0u, Defaults.Persistent);
        Assert.Equal(IPv4Address.Parse("255.255.255.255"), Defaults.PersistenceNetmask);
    }

    [Fact]
    public void SendAndExpect_KeepEscapesForTheHealthChecker()
    {
        var v = Lvs.WithVirtual(@"send = ""GET / HTTP/1.0\r\n\r\n""", @"expect = ""HTTP/1.\""1\""\t""");
        Assert.Equal(@"GET / HTTP/1.0\r\n\r\n", v.Send);
        Assert.Equal(@"HTTP/1.\""1\""\t", v.Expect);
        Assert.Null(Defaults.Send);
        Assert.Null(Defaults.Expect);
    }

    [Fact]
    public void SingleQuotedStrings_AreAcceptedAsInPiranha()
    {
        Assert.Equal("a \"quoted\" word", Lvs.WithVirtual("send = 'a \"quoted\" word'").Send);
    }

    [Fact]
    public void UseRegex_IsRead_DefaultIsOff()
    {
        Assert.True(Lvs.WithVirtual("use_regex = 1", "expect = \"^HTTP/1\\.[01] 200\"").UseRegex);
        Assert.False(Defaults.UseRegex);
    }

    [Fact]
    public void SendProgram_IsRead_DefaultIsNone()
    {
        Assert.Equal("/usr/local/bin/check --host %h", Lvs.WithVirtual("send_program = \"/usr/local/bin/check --host %h\"").SendProgram);
        Assert.Null(Defaults.SendProgram);
    }

    [Theory]
    [InlineData("none", LvsLoadMonitor.None)]
    [InlineData("uptime", LvsLoadMonitor.Uptime)]
    [InlineData("ruptime", LvsLoadMonitor.Ruptime)]
    [InlineData("rup", LvsLoadMonitor.Rup)]      // nanny's -U values
    [InlineData("rsh", LvsLoadMonitor.Rsh)]
    [InlineData("ssh", LvsLoadMonitor.Ssh)]
    public void LoadMonitor_IsRead(string text, LvsLoadMonitor expected)
    {
        Assert.Equal(expected, Lvs.WithVirtual($"load_monitor = {text}").LoadMonitor);
    }

    [Fact]
    public void LoadMonitor_DefaultIsNone()
    {
        Assert.Equal(LvsLoadMonitor.None, Defaults.LoadMonitor);
    }

    [Fact]
    public void TimeoutAndReentry_AreRead_DefaultsArePiranhas10And180Seconds()
    {
        var v = Lvs.WithVirtual("timeout = 6", "reentry = 15");
        Assert.Equal((TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(15)), (v.Timeout, v.Reentry));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(180)), (Defaults.Timeout, Defaults.Reentry));
    }

    [Fact]
    public void SendProgram_ThatDoesNotSplit_IsAnError_OneNotInstalled_AWarning()
    {
        string Text(string line) => Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual[..^1], $"    send_program = {line}", "}"]);

        Assert.Equal(["lvs.cf:10: send_program has an unterminated ' quote"], Lvs.Errors(Text("\"/bin/check 'oops\"")));
        Assert.Contains(Lvs.Warnings(Text("\"/nonexistent/check %h\"")),
            w => w.StartsWith("lvs.cf:10: warning: send_program '/nonexistent/check' is not found", StringComparison.Ordinal));
        Assert.DoesNotContain(Lvs.Warnings(Text("\"/bin/true %h\"")), w => w.Contains("send_program", StringComparison.Ordinal));
    }

    [Fact]
    public void ReentryZero_IsNannysDefault180Seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(180), Lvs.WithVirtual("reentry = 0").Reentry);
    }

    [Fact]
    public void AVirtualWithoutPort_ServesPort80_AsInPiranha_WithAWarning()
    {
        string text = Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual.Where(l => !l.TrimStart().StartsWith("port", StringComparison.Ordinal))]);

        Assert.Equal(80, Lvs.Load(text).VirtualServers[0].Port);
        Assert.Contains(Lvs.Warnings(text), w => w.Contains("has no 'port' line, so it serves port 80", StringComparison.Ordinal));
    }

    [Fact]
    public void AFailoverBlock_IsSetAside_WithAWarning_AsPiranhasLvsDoes()
    {
        string text = Lvs.Lines(["nat_router = 10.0.0.1 eth1", "failover ftp {", "    address = 192.0.2.20 eth0:2", "    port = 21", "}", .. Lvs.WebVirtual]);

        var config = Lvs.Load(text);

        Assert.Equal(["web"], config.VirtualServers.Select(v => v.Name));
        Assert.Contains(Lvs.Warnings(text), w => w.StartsWith("lvs.cf:2: warning: failover 'ftp'", StringComparison.Ordinal) && w.Contains("ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckInterval_IsRead_AndDefaultsToTimeoutLikeNannysPollInterval()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), Lvs.WithVirtual("check_interval = 0.5").CheckInterval);
        Assert.Equal(TimeSpan.FromSeconds(6), Lvs.WithVirtual("timeout = 6").CheckInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), Defaults.CheckInterval);
    }

    [Fact]
    public void QuiesceServer_IsRead_DefaultIsOff()
    {
        Assert.True(Lvs.WithVirtual("quiesce_server = 1").QuiesceServer);
        Assert.False(Defaults.QuiesceServer);
    }

    [Theory]
    [InlineData("sorry_server = 10.0.0.99", 80)]
    [InlineData("sorry_server = 10.0.0.99 8080", 8080)]
    [InlineData("sorry_server = 10.0.0.99:8081", 8081)]
    public void SorryServer_IsAddressAndOptionalPort_DefaultPortIsTheVirtuals(string line, int port)
    {
        Assert.Equal(new LvsSorryServer(IPv4Address.Parse("10.0.0.99"), (ushort)port), Lvs.WithVirtual(line).SorryServer);
    }

    [Fact]
    public void SorryServer_DefaultIsNone()
    {
        Assert.Null(Defaults.SorryServer);
    }

    [Fact]
    public void NameAndLine_AreKept()
    {
        Assert.Equal(("web", 2), (Defaults.Name, Defaults.Line));
    }
}
