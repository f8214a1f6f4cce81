using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;
using static UserLvs.Forwarder.Tests.Connections.ConnectionKit;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>
/// The open-addressing slots: colliding client endpoints, deletion inside a run (which moves the
/// entries behind it), and a model check. A slot number is only good until the next removal, so
/// these check what a lookup finds (the entry's key and server), never where it sits.
/// </summary>
public class ConnectionTableCollisionTests
{
    private static ConnectionTable FixedSeedTable(int capacity) =>
        new(capacity, new IpvsTimeouts(), null, new ConnectionHash(1, 2, 3, 4));

    private static ushort? ClientPortOfInbound(ConnectionTable table, ushort port)
    {
        int found = table.LookupInbound(Protocol.Tcp, Client, port, Vip, 80, Ack, 0);
        return found == ConnectionTable.NotFound ? null : table[found].ClientPort;
    }

    private static ushort? ClientPortOfReply(ConnectionTable table, RealServer server, ushort port)
    {
        int found = table.LookupOutbound(Protocol.Tcp, server.Address, server.Port, Client, port, 0);
        return found == ConnectionTable.NotFound ? null : table[found].ClientPort;
    }

    [Fact]
    public void ManyKeysWithOneHomeSlot_StayFindable_ThroughRemovalsInsideTheirRun()
    {
        const int capacity = 64;
        var table = FixedSeedTable(capacity);
        var server = Server(2);
        // Client ports whose endpoints all hash to the same home slot: one long probe run.
        int home = table.HomeSlot(Protocol.Tcp, Client, 1);
        var ports = Enumerable.Range(1, 65534).Select(p => (ushort)p)
            .Where(p => table.HomeSlot(Protocol.Tcp, Client, p) == home).Take(40).ToArray();
        Assert.Equal(40, ports.Length);

        foreach (var p in ports) table.Add(server, 0, port: p);
        foreach (var p in ports) Assert.Equal(p, ClientPortOfInbound(table, p));

        // Remove every other key, from the front of the run: the rest move up and must still be found.
        for (int i = 0; i < ports.Length; i += 2)
            table.Remove(table.LookupInbound(Protocol.Tcp, Client, ports[i], Vip, 80, Ack, 0), 0);
        for (int i = 0; i < ports.Length; i++)
        {
            ushort? expected = i % 2 == 0 ? null : ports[i];
            Assert.Equal(expected, ClientPortOfInbound(table, ports[i]));
            Assert.Equal(expected, ClientPortOfReply(table, server, ports[i]));
        }
        Assert.Equal(20, table.Count);
        Assert.Equal(20, server.InactiveConnections);
    }

    [Fact]
    public void OneSweepOfTheTable_RemovesEveryExpiredEntryOfARun_AsTheRunMovesUp()
    {
        var table = FixedSeedTable(64);
        var server = Server(2);
        int home = table.HomeSlot(Protocol.Tcp, Client, 1);
        var ports = Enumerable.Range(1, 65534).Select(p => (ushort)p)
            .Where(p => table.HomeSlot(Protocol.Tcp, Client, p) == home).Take(12).ToArray();
        // Every third connection stays (SYN_RECV, 60 s); the others expire at 2 s (state NONE).
        for (int i = 0; i < ports.Length; i++)
        {
            table.Add(server, 0, port: ports[i]);
            if (i % 3 == 0) table.In(Syn, 0, port: ports[i]);
        }

        // Each removal moves the rest of the run into the slot just emptied, which is looked at again.
        Assert.Equal(8, table.Sweep(10_000, table.SlotCount));
        Assert.Equal(4, table.Count);
        for (int i = 0; i < ports.Length; i++)
            Assert.Equal(i % 3 == 0 ? ports[i] : null, ClientPortOfInbound(table, ports[i]));
    }

    [Fact]
    public void ARunThatWrapsPastTheLastSlot_StaysFindable_ThroughRemovalsSweepsAndFlushes()
    {
        var table = FixedSeedTable(64);
        var a = Server(2);
        var b = Server(3);
        int last = table.SlotCount - 1;
        // Six client ports whose home is the last slot: their run goes on at slot 0, 1, ...
        var ports = Enumerable.Range(1, 65534).Select(p => (ushort)p)
            .Where(p => table.HomeSlot(Protocol.Tcp, Client, p) == last).Take(6).ToArray();
        for (int i = 0; i < ports.Length; i++) table.Add(i % 2 == 0 ? a : b, 0, port: ports[i]);
        Assert.Equal(last, table.LookupInbound(Protocol.Tcp, Client, ports[0], Vip, 80, Ack, 0));
        Assert.Equal(0, table.LookupInbound(Protocol.Tcp, Client, ports[1], Vip, 80, Ack, 0));

        // Removing the entry in the last slot moves the run back across the end of the array.
        table.Remove(last, 0);
        Assert.Null(ClientPortOfInbound(table, ports[0]));
        for (int i = 1; i < ports.Length; i++) Assert.Equal(ports[i], ClientPortOfReply(table, i % 2 == 0 ? a : b, ports[i]));

        // A flush walks the slots in order; the run it empties wraps around behind it.
        Assert.Equal(2, table.FlushServer(a, 0));
        for (int i = 1; i < ports.Length; i++) Assert.Equal(i % 2 == 0 ? null : ports[i], ClientPortOfInbound(table, ports[i]));

        // A sweep that starts in the middle of the wrapped run finds every expired entry of it.
        Assert.Equal(3, table.Sweep(10_000, table.SlotCount));
        Assert.Equal(0, table.Count);
        Assert.Equal((0, 0), (a.InactiveConnections, b.InactiveConnections));
    }

    [Fact]
    public void OneClientEndpointToSeveralServices_SharesARun_AndEachDirectionFindsItsOwnEntry()
    {
        var table = FixedSeedTable(64);
        var services = Enumerable.Range(0, 8).Select(i => new VirtualServiceKey(Protocol.Tcp, Vip, (ushort)(80 + i))).ToArray();
        var servers = Enumerable.Range(1, 8).Select(i => Server(i, port: (ushort)(9000 + i))).ToArray();
        for (int i = 0; i < 8; i++) table.Add(servers[i], 0, port: 5000, service: services[i]);

        for (int i = 0; i < 8; i++)
        {
            int inbound = table.LookupInbound(Protocol.Tcp, Client, 5000, Vip, services[i].Port, Ack, 0);
            Assert.Equal(servers[i].Address, table[inbound].RealAddress);
            int reply = table.LookupOutbound(Protocol.Tcp, servers[i].Address, servers[i].Port, Client, 5000, 0);
            Assert.Equal(services[i].Port, table[reply].VirtualPort);
        }
        // The same client port over UDP is another endpoint: not found over TCP's entries.
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Udp, Client, 5000, Vip, 80, 0, 0));
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

        foreach (var (client, port) in keys)
            Assert.Equal(ConnectionAddResult.Added, table.TryAdd(Http, new IPv4Address(client), port, servers[port % servers.Length], 0, out _));
        foreach (var (client, port) in keys)
        {
            var server = servers[port % servers.Length];
            int inbound = table.LookupInbound(Protocol.Tcp, new IPv4Address(client), port, Vip, 80, Ack, 0);
            Assert.Equal((new IPv4Address(client), port, server.Address), (table[inbound].ClientAddress, table[inbound].ClientPort, table[inbound].RealAddress));
            Assert.Equal(inbound, table.LookupOutbound(Protocol.Tcp, server.Address, 8080, new IPv4Address(client), port, 0));
        }
        Assert.Equal(ConnectionAddResult.Full, table.TryAdd(Http, Client, 1, servers[0], 0, out _));
    }

    [Fact]
    public void RandomAddsAndRemoves_AgreeWithADictionary()
    {
        const int capacity = 256;
        var table = FixedSeedTable(capacity);
        var servers = Enumerable.Range(1, 4).Select(i => Server(i)).ToArray();
        var model = new Dictionary<ushort, RealServer>();
        var random = new Random(11);
        for (int step = 0; step < 50_000; step++)
        {
            ushort port = (ushort)random.Next(1, 600);
            int found = table.LookupInbound(Protocol.Tcp, Client, port, Vip, 80, Ack, 0);
            if (model.TryGetValue(port, out var server))
            {
                Assert.NotEqual(ConnectionTable.NotFound, found);
                Assert.Equal((port, server.Address), (table[found].ClientPort, table[found].RealAddress));
                if (random.Next(2) == 0)
                {
                    table.Remove(found, 0);
                    model.Remove(port);
                }
            }
            else
            {
                Assert.Equal(ConnectionTable.NotFound, found);
                server = servers[random.Next(servers.Length)];
                var result = table.TryAdd(Http, Client, port, server, 0, out _);
                if (model.Count == capacity) Assert.Equal(ConnectionAddResult.Full, result);
                else
                {
                    Assert.Equal(ConnectionAddResult.Added, result);
                    model[port] = server;
                }
            }
            Assert.Equal(model.Count, table.Count);
        }
        foreach (var (port, server) in model)
        {
            int reply = table.LookupOutbound(Protocol.Tcp, server.Address, 8080, Client, port, 0);
            Assert.Equal(port, table[reply].ClientPort);
        }
        foreach (var server in servers)
            Assert.Equal(model.Values.Count(s => s == server), server.InactiveConnections);
    }
}
