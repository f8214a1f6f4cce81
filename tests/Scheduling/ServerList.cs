namespace UserLvs.Scheduling.Tests;

/// <summary>Builds real-server lists for scheduler tests, in the list order the test states.</summary>
internal static class ServerList
{
    /// <summary>Servers 10.0.0.1, 10.0.0.2, ... on port 80 with the given weights, in that list order.</summary>
    public static RealServer[] WithWeights(params int[] weights) =>
        weights.Select((w, i) => new RealServer(new IPv4Address(0x0A000001u + (uint)i), 80, w)).ToArray();

    /// <summary>Sets a server's counters by binding it the way the forwarder would.</summary>
    public static void SetConnections(this RealServer server, int active, int inactive)
    {
        while (server.Counters.Active < active) server.Counters.ConnectionBound(active: true);
        while (server.Counters.Active > active) server.Counters.ConnectionUnbound(active: true);
        while (server.Counters.Inactive < inactive) server.Counters.ConnectionBound(active: false);
        while (server.Counters.Inactive > inactive) server.Counters.ConnectionUnbound(active: false);
    }

    /// <summary>Publishes the servers through a real table so that counters reach the scheduler.</summary>
    public static (ServiceTable Table, VirtualService Service) Publish(string scheduler, IReadOnlyList<RealServer> listOrder,
        SchedulerFlags flags = SchedulerFlags.None, TimeProvider? time = null, IRandomSource? random = null)
    {
        var table = new ServiceTable(time, random);
        var key = new VirtualServiceKey(Protocol.Tcp, IPv4Address.Parse("192.0.2.10"), 80);
        Assert.Equal(TableResult.Ok, table.AddService(new VirtualServiceConfig(key, scheduler, flags)));
        // AddRealServer puts each new server at the head; add in reverse to get the stated list order.
        for (int i = listOrder.Count - 1; i >= 0; i--)
            Assert.Equal(TableResult.Ok, table.AddRealServer(key, listOrder[i]));
        var service = table.Current.Find(key)!;
        Assert.Equal(listOrder.Select(s => s.Address), service.RealServers.Select(s => s.Address));
        return (table, service);
    }

    public static SchedulingRequest Client(string address, ushort port = 40000) =>
        new(IPv4Address.Parse(address), port, IPv4Address.Parse("192.0.2.10"), 80);
}
