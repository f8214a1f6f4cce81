using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>lvs.cf(5) server keys: each value as written, and Piranha's default when absent.</summary>
public class ServerKeyTests
{
    [Fact]
    public void Address_IsRead()
    {
        Assert.Equal(IPv4Address.Parse("10.0.0.11"), Lvs.WithServer("active = 1").Address);
    }

    [Fact]
    public void Port_IsRead_DefaultIsTheVirtualsPort()
    {
        Assert.Equal((ushort)8080, Lvs.WithServer("port = 8080").Port);
        Assert.Equal((ushort)80, Lvs.WithServer().Port);
    }

    [Fact]
    public void Port_Default_IsTheVirtualsPortEvenWhenPortIsWrittenAfterTheServers()
    {
        var config = Lvs.Load(Lvs.Lines("nat_router = 10.0.0.1 eth1", "virtual web {", "    active = 1", "    address = 192.0.2.10 eth0",
            "    server rs1 {", "        address = 10.0.0.11", "        active = 1", "    }", "    port = 8443", "}"));
        Assert.Equal((ushort)8443, config.VirtualServers[0].RealServers[0].Port);
    }

    [Fact]
    public void Active_IsRead_DefaultIsInactiveAsInPiranha()
    {
        Assert.True(Lvs.WithServer("active = 1").Active);
        Assert.False(Lvs.WithServer("active = 0").Active);
        Assert.False(Lvs.WithServer().Active);
    }

    [Fact]
    public void Weight_IsRead_DefaultIsOne_ZeroIsAllowed()
    {
        Assert.Equal(5, Lvs.WithServer("weight = 5").Weight);
        Assert.Equal(0, Lvs.WithServer("weight = 0").Weight);
        Assert.Equal(1, Lvs.WithServer().Weight);
    }

    [Fact]
    public void NameAndLine_AreKept()
    {
        var server = Lvs.WithServer();
        Assert.Equal(("rs1", 6), (server.Name, server.Line));
    }
}
