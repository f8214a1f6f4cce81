using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>Addresses, flags and tables for the connection-table specifications.</summary>
internal static class ConnectionKit
{
    public const byte Syn = TcpStateMachine.Syn;
    public const byte SynAck = TcpStateMachine.Syn | TcpStateMachine.Ack;
    public const byte Ack = TcpStateMachine.Ack;
    public const byte FinAck = TcpStateMachine.Fin | TcpStateMachine.Ack;
    public const byte Rst = TcpStateMachine.Rst;
    public const byte RstAck = TcpStateMachine.Rst | TcpStateMachine.Ack;

    public const long Second = 1000;

    public static readonly IPv4Address Vip = IPv4Address.Parse("192.0.2.10");
    public static readonly IPv4Address Client = IPv4Address.Parse("198.51.100.7");
    public static readonly VirtualServiceKey Http = new(Protocol.Tcp, Vip, 80);
    public static readonly VirtualServiceKey Dns = new(Protocol.Udp, Vip, 53);

    public static RealServer Server(int lastOctet, ushort port = 8080) =>
        new(new IPv4Address(0x0A000000u + (uint)lastOctet), port);

    public static ConnectionTable Table(int capacity = 64, IpvsTimeouts? timeouts = null, PersistenceTemplateTable? templates = null) =>
        new(capacity, timeouts ?? new IpvsTimeouts(), templates);

    /// <summary>Adds a connection from <paramref name="client"/>:<paramref name="port"/> and asserts it was added.</summary>
    public static int Add(this ConnectionTable table, RealServer server, long now, ushort port = 40000,
        IPv4Address? client = null, VirtualServiceKey? service = null, int template = PersistenceTemplateTable.NoTemplate)
    {
        var key = service ?? Http;
        Assert.Equal(ConnectionAddResult.Added, table.TryAdd(key, client ?? Client, port, server, now, out int index, template));
        return index;
    }

    /// <summary>A client packet: the inbound lookup and its state update, as a worker does them.</summary>
    public static int In(this ConnectionTable table, byte flags, long now, ushort port = 40000, VirtualServiceKey? service = null)
    {
        var key = service ?? Http;
        int index = table.LookupInbound(key.Protocol, Client, port, key.Address, key.Port, flags, now);
        if (index != ConnectionTable.NotFound) table.Update(index, ConnectionDirection.Input, flags, now);
        return index;
    }

    /// <summary>A reply from the real server: the outbound lookup and its state update.</summary>
    public static int Out(this ConnectionTable table, RealServer server, byte flags, long now, ushort port = 40000, Protocol protocol = Protocol.Tcp)
    {
        int index = table.LookupOutbound(protocol, server.Address, server.Port, Client, port, now);
        if (index != ConnectionTable.NotFound) table.Update(index, ConnectionDirection.Output, flags, now);
        return index;
    }

    /// <summary>A virtual service published through a real service table, with these servers in list order.</summary>
    public static (ServiceTable Table, VirtualService Service) PersistentService(uint timeoutSeconds, string netmask, params RealServer[] servers)
    {
        var table = new ServiceTable();
        var persistence = new Persistence(timeoutSeconds, IPv4Address.Parse(netmask));
        Assert.Equal(TableResult.Ok, table.AddService(new VirtualServiceConfig(Http, SchedulerNames.WeightedLeastConnection, Persistence: persistence)));
        for (int i = servers.Length - 1; i >= 0; i--) Assert.Equal(TableResult.Ok, table.AddRealServer(Http, servers[i]));
        return (table, table.Current.Find(Http)!);
    }
}
