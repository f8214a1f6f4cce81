
namespace UserLvs.Adm.Tests.Output;

/// <summary>
/// ipvsadm -L --stats and --rate: a 33-column service name or "  -> " and a 28-column server name,
/// then five numbers by print_largenum (9 columns, or 8 and K/M/G/T above 100 million; --exact
/// widens instead of scaling). In --rate the server's CPS, InPPS and OutPPS are plain "%8llu".
/// </summary>
public class StatsAndRateTests
{
    private const string Header = "IP Virtual Server version 1.2.1 (size=4096)\n";
    private static readonly ServiceKey Http = new(Protocol.Tcp, "192.0.2.10", 80);

    private static AdmHarness WithStats()
    {
        var adm = new AdmHarness().Do(
            "-A -t 192.0.2.10:80", "-a -t 192.0.2.10:80 -r 10.0.0.2 -m", "-a -t 192.0.2.10:80 -r 10.0.0.1 -m");
        adm.Control.SetStats(Http, new StatsInfo(113786, 19495479, 0, 2110123456, 99999999, 12, 2400, 2300, 193000000, 5));
        adm.Control.SetStats(Http, "10.0.0.1", 80, new StatsInfo(12883, 1679941, 0, 181747123, 100000000, 123456789, 2, 0, 150000000, 54));
        adm.Control.SetStats(Http, "10.0.0.2", 80, new StatsInfo(100926, 17815538, 0, 1928376333, 123456789012345));
        return adm;
    }

    [Fact]
    public void Stats_ScaleLargeNumbers_ToKMGT()
    {
        Assert.Equal(Header
            + "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  192.0.2.10:80                  113786 19495479        0    2110M 99999999\n"
            + "  -> 10.0.0.1:80                     12883  1679941        0  181747K  100000K\n"
            + "  -> 10.0.0.2:80                    100926 17815538        0    1928M     123T\n", WithStats().Run("-Ln --stats").Out);
    }

    [Fact]
    public void StatsExact_PrintsWholeNumbers_WideningPastEightDigits()
    {
        Assert.Equal(Header
            + "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  192.0.2.10:80                  113786 19495479        0 2110123456 99999999\n"
            + "  -> 10.0.0.1:80                     12883  1679941        0 181747123 100000000\n"
            + "  -> 10.0.0.2:80                    100926 17815538        0 1928376333 123456789012345\n",
            WithStats().Run("-Ln --stats --exact").Out);
    }

    [Fact]
    public void Rate_ScalesTheServicesColumns_ButNotTheServersFirstThree()
    {
        var output = WithStats().Run("-L -n --rate").Out;
        Assert.Equal(Header
            + "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  192.0.2.10:80                      12     2400     2300  193000K        5\n"
            + "  -> 10.0.0.1:80                  123456789        2        0  150000K       54\n"
            + "  -> 10.0.0.2:80                         0        0        0        0        0\n", output);
    }

    [Fact]
    public void StatsWinsOverRate_AsInIpvsadmsTitleOrder()
    {
        Assert.Equal(WithStats().Run("-Ln --stats").Out, WithStats().Run("-Ln --rate --stats").Out);
    }

    [Fact]
    public void Zero_ClearsOneServicesCounters_OrAll()
    {
        var adm = WithStats();
        Assert.Equal(0, adm.Run("-Z -t 192.0.2.10:80").Status);
        Assert.Contains("TCP  192.0.2.10:80                       0        0        0        0        0\n", adm.Run("-Ln --stats").Out);
        Assert.Equal(("Zero", (ServiceKey?)Http), adm.Control.Requests[^1]);
        Assert.Equal(0, adm.Run("-Z").Status);
        Assert.Equal(("Zero", (ServiceKey?)null), adm.Control.Requests[^1]);
    }
}
