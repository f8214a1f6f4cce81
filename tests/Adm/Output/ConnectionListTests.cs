
namespace UserLvs.Adm.Tests.Output;

/// <summary>
/// ipvsadm -L -c: "pro expire state source virtual destination" and one "%-3s %-6s %-11s %-18s %-18s %s"
/// line per connection, in the daemon's order; the expiry is mm:ss with minutes uncapped; names
/// longer than 18 columns push the rest of the line right.
/// </summary>
public class ConnectionListTests
{
    private const string Title = "IPVS connection entries\n"
        + "pro expire state       source             virtual            destination\n";

    private static AdmHarness WithConnections()
    {
        var adm = new AdmHarness();
        adm.Control.Connections.AddRange(
        [
            new ConnectionInfo(Protocol.Tcp, "203.0.113.7", 40000, "192.0.2.10", 80, "10.0.0.1", 8080, "ESTABLISHED", 899),
            new ConnectionInfo(Protocol.Udp, "203.0.113.7", 5353, "192.0.2.10", 53, "10.0.0.1", 53, "UDP", 5),
            new ConnectionInfo(Protocol.Tcp, "203.0.113.0", 0, "192.0.2.10", 443, "10.0.0.1", 443, "NONE", 3600),
        ]);
        return adm;
    }

    [Fact]
    public void ListConnectionsNumeric_PrintsOneLinePerEntry_WithExpiryAsMinutesAndSeconds()
    {
        var result = WithConnections().Run("-L -n -c");
        Assert.Equal(Title
            + "TCP 14:59  ESTABLISHED 203.0.113.7:40000  192.0.2.10:80      10.0.0.1:8080\n"
            + "UDP 00:05  UDP         203.0.113.7:5353   192.0.2.10:53      10.0.0.1:53\n"
            + "TCP 60:00  NONE        203.0.113.0:0      192.0.2.10:443     10.0.0.1:443\n", result.Out);
        Assert.Equal(0, result.Status);
    }

    [Fact]
    public void ListConnectionsWithNames_LongNamesPushTheNextColumnsRight()
    {
        var adm = new AdmHarness();
        adm.Control.Connections.Add(new ConnectionInfo(Protocol.Tcp, "203.0.113.7", 40000, "192.0.2.10", 80, "10.0.0.1", 80, "SYN_RECV", 61));
        Assert.Equal(Title
            + "TCP 01:01  SYN_RECV    client.example.net:40000 www.example.com:http web1:http\n", adm.Run("-Lc").Out);
    }

    [Fact]
    public void PersistentConn_AddsThePeColumnsToTheTitle()
    {
        Assert.Equal("IPVS connection entries\n"
            + "pro expire state       source             virtual            destination        pe name          pe_data\n",
            new AdmHarness().Run("-L -c --persistent-conn").Out);
    }

    [Fact]
    public void NoConnections_PrintsTheTitleOnly() => Assert.Equal(Title, new AdmHarness().Run("-Lnc").Out);
}
