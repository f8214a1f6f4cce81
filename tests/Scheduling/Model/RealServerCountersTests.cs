namespace UserLvs.Scheduling.Tests.Model;

/// <summary>IPVS's overload flag (ip_vs_bind_dest / ip_vs_unbind_dest) driven by ipvsadm's -x and -y.</summary>
public class RealServerCountersTests
{
    private static RealServer Publish(uint upper, uint lower)
    {
        var server = new RealServer(IPv4Address.Parse("10.0.0.11"), 80, 1, upper, lower);
        ServerList.Publish("rr", [server]);
        return server;
    }

    [Fact]
    public void ReachingTheUpperThreshold_Overloads_AndFallingBelowTheLowerOne_Clears()
    {
        var server = Publish(upper: 4, lower: 2);
        server.SetConnections(active: 3, inactive: 0);
        Assert.False(server.IsOverloaded);
        server.Counters.ConnectionBound(active: false); // total 4 = upper
        Assert.True(server.IsOverloaded);
        server.SetConnections(active: 2, inactive: 0);   // total 2: not below the lower threshold
        Assert.True(server.IsOverloaded);
        server.Counters.ConnectionUnbound(active: true); // total 1 < 2
        Assert.False(server.IsOverloaded);
    }

    [Fact]
    public void WithoutALowerThreshold_OverloadClearsBelowThreeQuartersOfTheUpper()
    {
        var server = Publish(upper: 8, lower: 0);
        server.SetConnections(active: 8, inactive: 0);
        Assert.True(server.IsOverloaded);
        server.SetConnections(active: 6, inactive: 0);   // 6*4 = 24, not < 8*3 = 24
        Assert.True(server.IsOverloaded);
        server.Counters.ConnectionUnbound(active: true); // 5*4 = 20 < 24
        Assert.False(server.IsOverloaded);
    }

    [Fact]
    public void AnOverloadedServer_IsNotAvailable_AndAQuiescedOneNeither()
    {
        var server = Publish(upper: 1, lower: 0);
        Assert.True(server.IsAvailable);
        server.Counters.ConnectionBound(active: false);
        Assert.False(server.IsAvailable);
        Assert.False(new RealServer(IPv4Address.Parse("10.0.0.12"), 80, weight: 0).IsAvailable);
    }

    [Fact]
    public void RaisingTheUpperThreshold_ClearsTheOverload_AsIpvsUpdateDestDoes()
    {
        var server = new RealServer(IPv4Address.Parse("10.0.0.11"), 80, 1, upperThreshold: 2);
        var (table, service) = ServerList.Publish("rr", [server]);
        server.SetConnections(active: 2, inactive: 0);
        Assert.True(server.IsOverloaded);
        table.EditRealServer(service.Key, server.Address, 80, 1, upperThreshold: 10, lowerThreshold: 0, ForwardingMethod.Masquerade);
        Assert.False(server.IsOverloaded);
    }
}
