namespace UserLvs.Adm.Tests.Output;

/// <summary>
/// ipvsadm -L as ipvsadm 1.31 prints it, byte for byte. The expected texts are ipvsadm's printf
/// formats worked out by hand: "%-4s %s" cut to 33 columns for a service, "  -> %-28s %-7s %-6d
/// %-10u %-10u" for a server (so every server line ends in padding spaces, as ipvsadm's do).
/// </summary>
public class ListingTests
{
    private const string Header = "IP Virtual Server version 1.2.1 (size=4096)\n";
    private const string Title = "Prot LocalAddress:Port Scheduler Flags\n"
        + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    private static AdmHarness ThreeServices()
    {
        var adm = new AdmHarness().Do(
            "-A -u 192.0.2.10:53",
            "-a -u 192.0.2.10:53 -r 10.0.0.1 -m -w 0",
            "-A -t 192.0.2.10:443 -s sh -b sh-port -p 1800 -M 255.255.255.0",
            "-a -t 192.0.2.10:443 -r 10.0.0.1:443 -m -w 2",
            "-A -t 192.0.2.10:80 -s rr",
            "-a -t 192.0.2.10:80 -r 10.0.0.2:8080 -m -w 3",
            "-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m");
        var server = adm.Control.Table.Current.Services.Single(s => s.Key.Port == 80).FindRealServer(IPv4Address.Parse("10.0.0.1"), 8080)!;
        for (int i = 0; i < 2; i++) server.Counters.ConnectionBound(active: true);
        for (int i = 0; i < 5; i++) server.Counters.ConnectionBound(active: false);
        return adm;
    }

    [Fact]
    public void ListNumeric_PrintsHeaderTitleServicesAndServers_SortedByProtocolAddressAndPort()
    {
        var result = ThreeServices().Run("-L -n");
        Assert.Equal(0, result.Status);
        Assert.Equal(Header + Title
            + "TCP  192.0.2.10:80 rr\n"
            + "  -> 10.0.0.1:8080                Masq    1      2          5         \n"
            + "  -> 10.0.0.2:8080                Masq    3      0          0         \n"
            + "TCP  192.0.2.10:443 sh (sh-port) persistent 1800 mask 255.255.255.0\n"
            + "  -> 10.0.0.1:443                 Masq    2      0          0         \n"
            + "UDP  192.0.2.10:53 wlc\n"
            + "  -> 10.0.0.1:53                  Masq    0      0          0         \n", result.Out);
        Assert.Equal("", result.Err);
    }

    [Fact]
    public void NoArguments_ListsEverythingWithNames_AsIpvsadmAloneDoes()
    {
        var adm = new AdmHarness().Do("-A -t 192.0.2.10:80", "-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m");
        Assert.Equal(Header + Title
            + "TCP  www.example.com:http wlc\n"
            + "  -> web1:http                    Masq    1      0          0         \n", adm.Run("").Out);
    }

    [Fact]
    public void NoSort_KeepsTheDaemonsOrder_ServicesAsAddedAndServersNewestFirst()
    {
        var result = ThreeServices().Run("-Ln --nosort");
        Assert.Equal(Header + Title
            + "UDP  192.0.2.10:53 wlc\n"
            + "  -> 10.0.0.1:53                  Masq    0      0          0         \n"
            + "TCP  192.0.2.10:443 sh (sh-port) persistent 1800 mask 255.255.255.0\n"
            + "  -> 10.0.0.1:443                 Masq    2      0          0         \n"
            + "TCP  192.0.2.10:80 rr\n"
            + "  -> 10.0.0.1:8080                Masq    1      2          5         \n"
            + "  -> 10.0.0.2:8080                Masq    3      0          0         \n", result.Out);
    }

    [Fact]
    public void WithoutNumeric_NamesComeFromHostsAndServices_AndLongNamesAreCutTo33And28Columns()
    {
        var adm = new AdmHarness().Do(
            "-A -t 192.0.2.10:80 -s rr",
            "-a -t 192.0.2.10:80 -r 10.0.0.3:80 -m",
            "-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m",
            "-A -t 192.0.2.11:443",
            "-a -t 192.0.2.11:443 -r 10.0.0.2 -m");
        Assert.Equal(Header + Title
            + "TCP  www.example.com:http rr\n"
            + "  -> web1:http                    Masq    1      0          0         \n"
            + "  -> a-real-server-with-a-rather- Masq    1      0          0         \n"
            + "TCP  a-very-long-virtual-service- wlc\n"
            + "  -> web2:https                   Masq    1      0          0         \n", adm.Run("-L").Out);
    }

    [Fact]
    public void ListOneService_PrintsTitleAndThatServiceOnly_WithoutTheVersionHeader()
    {
        var adm = new AdmHarness().Do(
            "-A -t 192.0.2.10:80 -p", "-a -t 192.0.2.10:80 -r 10.0.0.1 -m", "-A -t 192.0.2.10:81");
        var result = adm.Run("-L -n -t 192.0.2.10:80");
        Assert.Equal(Title
            + "TCP  192.0.2.10:80 wlc persistent 360\n"
            + "  -> 10.0.0.1:80                  Masq    1      0          0         \n", result.Out);
    }

    [Fact]
    public void ListOneService_ThatDoesNotExist_SaysNoSuchService_WithStatus1()
    {
        var result = new AdmHarness().Run("-L -n -t 192.0.2.10:80");
        Assert.Equal((1, "", "No such service\n"), (result.Status, result.Out, result.Err));
    }

    [Fact]
    public void SchedulerFlags_PrintInParentheses_WithShAndMhAliases_AndAnUnnamedFlagPrintsNothing()
    {
        var adm = new AdmHarness().Do(
            "-A -t 192.0.2.10:80 -b flag-3,flag-1",
            "-A -t 192.0.2.10:81 -s sh -b flag-3",
            "-A -t 192.0.2.10:82 -s mh -b mh-port,mh-fallback -p 60");
        Assert.Equal(Header + Title
            + "TCP  192.0.2.10:80 wlc (flag-1,flag-3)\n"
            + "TCP  192.0.2.10:81 sh ()\n"
            + "TCP  192.0.2.10:82 mh (mh-fallback,mh-port) persistent 60\n", adm.Run("-Ln").Out);
    }

    [Fact]
    public void Netmask_IsShownOnlyForPersistentServices_AndOnlyWhenNotAllOnes()
    {
        var adm = new AdmHarness().Do(
            "-A -t 192.0.2.10:80 -M 255.255.0.0",
            "-A -t 192.0.2.10:81 -p 10 -M 255.255.255.255",
            "-A -t 192.0.2.10:0 -p 20 -M 255.255.255.128");
        Assert.Equal(Header + Title
            + "TCP  192.0.2.10:0 wlc persistent 20 mask 255.255.255.128\n"
            + "TCP  192.0.2.10:80 wlc\n"
            + "TCP  192.0.2.10:81 wlc persistent 10\n", adm.Run("-Ln").Out);
    }

    [Fact]
    public void Thresholds_ShowUpperLowerActiveInactive()
    {
        var adm = new AdmHarness().Do("-A -t 192.0.2.10:80", "-a -t 192.0.2.10:80 -r 10.0.0.1 -m -x 100 -y 50");
        var server = adm.Control.Table.Current.Services[0].RealServers[0];
        for (int i = 0; i < 2; i++) server.Counters.ConnectionBound(active: true);
        for (int i = 0; i < 7; i++) server.Counters.ConnectionBound(active: false);
        Assert.Equal(Header
            + "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  192.0.2.10:80 wlc\n"
            + "  -> 10.0.0.1:80                  100        50         2          7         \n", adm.Run("-Ln --thresholds").Out);
    }

    [Fact]
    public void PersistentConn_ShowsWeightTemplatesActiveInactive()
    {
        var adm = new AdmHarness().Do("-A -t 192.0.2.10:80 -p", "-a -t 192.0.2.10:80 -r 10.0.0.1 -m -w 5");
        var server = adm.Control.Table.Current.Services[0].RealServers[0];
        for (int i = 0; i < 3; i++) server.Counters.TemplateBound();
        for (int i = 0; i < 2; i++) server.Counters.ConnectionBound(active: true);
        for (int i = 0; i < 7; i++) server.Counters.ConnectionBound(active: false);
        Assert.Equal(Header
            + "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  192.0.2.10:80 wlc persistent 360\n"
            + "  -> 10.0.0.1:80                  5         3           2          7         \n", adm.Run("-Ln --persistent-conn").Out);
    }

    [Fact]
    public void TunInfo_AddsTheTunnelColumn_NotApplicableForMasquerading()
    {
        var adm = new AdmHarness().Do("-A -t 192.0.2.10:80", "-a -t 192.0.2.10:80 -r 10.0.0.1 -m");
        Assert.Equal(Header
            + "Prot LocalAddress:Port Scheduler Flags\n"
            + "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
            + "TCP  192.0.2.10:80 wlc\n"
            + "  -> 10.0.0.1:80                  Masq    n/a           1      0          0         \n", adm.Run("-Ln --tun-info").Out);
    }

    [Fact]
    public void EmptyTable_PrintsHeaderAndTitleOnly_WithTheDaemonsTableSize()
    {
        var adm = new AdmHarness();
        adm.Control.ConnectionTableSize = 65536;
        Assert.Equal("IP Virtual Server version 1.2.1 (size=65536)\n" + Title, adm.Run("-Ln").Out);
    }

    [Fact]
    public void Daemon_ListsNoSyncDaemon_SoPrintsNothing()
    {
        Assert.Equal((0, ""), (new AdmHarness().Run("-L --daemon").Status, new AdmHarness().Run("-L --daemon").Out));
    }
}
