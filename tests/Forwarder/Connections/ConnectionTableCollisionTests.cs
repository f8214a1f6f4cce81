using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;
using static UserLvs.Forwarder.Tests.Connections.ConnectionKit;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>The open-addressing indexes: colliding keys, deletion inside a cluster, and a model check.</summary>
public class ConnectionTableCollisionTests
{
    private static ConnectionTable FixedSeedTable(int capacity) =>
        new(capacity, new IpvsTimeouts(), null, new ConnectionHash(1, 2, 3, 4), new ConnectionHash(5, 6, 7, 8));

    [Fact]
    public void ManyKeysWithOneHomeSlot_StayFindable_ThroughRemovalsInsideTheirCluster()
    {
        const int capacity = 64;
        var table = FixedSeedTable(capacity);
        var server = Server(2);
        // Client ports whose inbound keys all hash to the same home slot: one long probe cluster.
        int home = table.InboundHomeSlot(Protocol.Tcp, Client, 1, Vip, 80);
        var ports = Enumerable.Range(1, 65534).Select(p => (ushort)p)
            .Where(p => table.InboundHomeSlot(Protocol.Tcp, Client, p, Vip, 80) == home).Take(40).ToArray();
        Assert.Equal(40, ports.Length);

        var index = ports.ToDictionary(p => p, p => table.Add(server, 0, port: p));
        foreach (var p in ports) Assert.Equal(index[p], table.LookupInbound(Protocol.Tcp, Client, p, Vip, 80, Ack, 0));

        // Remove every other key, from the middle of the cluster outwards: the rest must still be found.
        for (int i = 0; i < ports.Length; i += 2) table.Remove(index[ports[i]], 0);
        for (int i = 0; i < ports.Length; i++)
        {
            int found = table.LookupInbound(Protocol.Tcp, Client, ports[i], Vip, 80, Ack, 0);
            Assert.Equal(i % 2 == 0 ? ConnectionTable.NotFound : index[ports[i]], found);
            int reply = table.LookupOutbound(Protocol.Tcp, server.Address, 8080, Client, ports[i], 0);
            Assert.Equal(i % 2 == 0 ? ConnectionTable.NotFound : index[ports[i]], reply);
        }
        Assert.Equal(20, server.InactiveConnections);
    }

    [Fact]
    public void AFullTableOfRandomKeys_FindsEveryKeyInBothDirections()
    {
        const int capacity = 1 << 14;
        var table = new ConnectionTable(capacity, new IpvsTimeouts());
        var servers = Enumerable.Range(1, 8).Select(i => Server(i)).ToArray();
        var random = new Random(7);
        var keys = new HashSet<(uint, ushort)>();
        while (keys.Count < capacity) keys.Add(((uint)random.Next(), (ushort)random.Next(1, 65536)));

        var added = new List<(uint Client, ushort Port, int Index)>();
        foreach (var (client, port) in keys)
        {
            var server = servers[port % servers.Length];
            Assert.Equal(ConnectionAddResult.Added, table.TryAdd(Http, new IPv4Address(client), port, server, 0, out int index));
            added.Add((client, port, index));
        }
        foreach (var (client, port, index) in added)
        {
            var server = servers[port % servers.Length];
            Assert.Equal(index, table.LookupInbound(Protocol.Tcp, new IPv4Address(client), port, Vip, 80, Ack, 0));
            Assert.Equal(index, table.LookupOutbound(Protocol.Tcp, server.Address, 8080, new IPv4Address(client), port, 0));
        }
    }

    [Fact]
    public void RandomAddsAndRemoves_AgreeWithADictionary()
    {
        const int capacity = 256;
        var table = FixedSeedTable(capacity);
        var server = Server(2);
        var model = new Dictionary<ushort, int>();
        var random = new Random(11);
        for (int step = 0; step < 50_000; step++)
        {
            ushort port = (ushort)random.Next(1, 600);
            if (model.TryGetValue(port, out int index))
            {
                Assert.Equal(index, table.LookupInbound(Protocol.Tcp, Client, port, Vip, 80, Ack, 0));
                if (random.Next(2) == 0)
                {
                    table.Remove(index, 0);
                    model.Remove(port);
                }
            }
            else
            {
                Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, Client, port, Vip, 80, Ack, 0));
                var result = table.TryAdd(Http, Client, port, server, 0, out int added);
                if (model.Count == capacity) Assert.Equal(ConnectionAddResult.Full, result);
                else
                {
                    Assert.Equal(ConnectionAddResult.Added, result);
                    model[port] = added;
                }
            }
            Assert.Equal(model.Count, table.Count);
        }
        foreach (var (port, index) in model)
            Assert.Equal(index, table.LookupOutbound(Protocol.Tcp, server.Address, 8080, Client, port, 0));
        Assert.Equal(model.Count, server.InactiveConnections);
    }
}
