using UserLvs.Daemon.Config;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>
/// From lvs.cf to ServiceTable.Replace: active virtuals only, active servers only, servers in the
/// order IPVS would hold them after Piranha's ipvsadm -a in file order (newest first: reversed),
/// persistence from persistent/pmask, and the interfaces to open.
/// </summary>
public class DesiredTableTests
{
    private static readonly LvsConfig Config = Lvs.Load(Lvs.Lines(
        "nat_router = 10.0.0.1 priv0:1",
        "virtual web {",
        "    active = 1",
        "    address = 192.0.2.10 pub0:1",
        "    port = 80",
        "    scheduler = wrr",
        "    server rs1 {",
        "        address = 10.0.0.11",
        "        active = 1",
        "        weight = 1",
        "    }",
        "    server rs2 {",
        "        address = 10.0.0.12",
        "        active = 0",
        "    }",
        "    server rs3 {",
        "        address = 10.0.0.13",
        "        port = 8080",
        "        active = 1",
        "        weight = 3",
        "    }",
        "    server rs4 {",
        "        address = 10.0.0.14",
        "        active = 1",
        "        weight = 0",
        "    }",
        "}",
        "virtual dns {",
        "    active = 1",
        "    address = 198.51.100.53 pub1",
        "    port = 53",
        "    protocol = udp",
        "    persistent = 60",
        "    pmask = 255.255.255.0",
        "    server rs1 {",
        "        address = 10.0.0.11",
        "        active = 1",
        "    }",
        "}",
        "virtual old {",
        "    active = 0",
        "    address = 192.0.2.11 pub0:2",
        "    port = 80",
        "    server rs1 {",
        "        address = 10.0.0.11",
        "        active = 1",
        "    }",
        "}"));

    private static readonly IReadOnlyList<(VirtualServiceConfig Config, IReadOnlyList<RealServer> Servers)> Table = Config.ToDesiredTable();

    [Fact]
    public void OnlyActiveVirtuals_InFileOrder()
    {
        Assert.Equal(
            [new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80), new VirtualServiceKey(Protocol.Udp, IPv4Address.Parse("198.51.100.53"), 53)],
            Table.Select(t => t.Config.Key));
    }

    [Fact]
    public void Servers_AreTheActiveOnes_NewestFirstAsIpvsadmAddInFileOrderLeavesThem()
    {
        Assert.Equal(["10.0.0.14:80 weight 0", "10.0.0.13:8080 weight 3", "10.0.0.11:80 weight 1"], Table[0].Servers.Select(s => s.ToString()));
        Assert.All(Table[0].Servers, s => Assert.Equal(ForwardingMethod.Masquerade, s.ForwardingMethod));
    }

    [Fact]
    public void SchedulerAndPersistence_AreCarried()
    {
        Assert.Equal("wrr", Table[0].Config.SchedulerName);
        Assert.False(Table[0].Config.Persistence.IsEnabled);
        Assert.Equal("wlc", Table[1].Config.SchedulerName);
        Assert.Equal(new Persistence(60, IPv4Address.Parse("255.255.255.0")), Table[1].Config.Persistence);
    }

    [Fact]
    public void PersistentWithoutPmask_UsesIpvsadmsDefaultMask()
    {
        var v = Lvs.WithVirtual("persistent = 300");
        var table = Lvs.Load(Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual[..4], "    persistent = 300", .. Lvs.WebVirtual[4..]])).ToDesiredTable();
        Assert.Equal(new Persistence(300, IPv4Address.Parse("255.255.255.255")), table[0].Config.Persistence);
        Assert.Equal(300u, v.Persistent);
    }

    [Fact]
    public void TheTable_IsAcceptedByServiceTableReplace_AndPicksFollowIt()
    {
        var serviceTable = new ServiceTable();
        serviceTable.Replace(Table);
        var web = serviceTable.Current.Services.Single(s => s.Key.Port == 80);
        Assert.Equal("wrr", web.SchedulerName);
        Assert.Equal(3, web.RealServers.Count);
        Assert.Equal(IPv4Address.Parse("10.0.0.13"), web.RealServers[1].Address);
    }

    [Fact]
    public void Interfaces_PublicFromEveryVipDevice_PrivateFromNatRouter()
    {
        Assert.Equal(["pub0", "pub1"], Config.PublicInterfaces);
        Assert.Equal("priv0", Config.PrivateInterface);
    }
}
