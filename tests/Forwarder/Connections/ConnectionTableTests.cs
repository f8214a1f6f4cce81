using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;
using static UserLvs.Forwarder.Tests.Connections.ConnectionKit;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>IPVS's ip_vs_conn.c and the state handling of ip_vs_proto_tcp.c / udp.c for LVS-NAT.</summary>
public class ConnectionTableTests
{
    [Fact]
    public void Add_ThenTheClientsPacketsAndTheServersRepliesFindTheSameConnection()
    {
        var table = Table();
        var server = Server(2);
        int index = table.Add(server, now: 0);

        Assert.Equal(index, table.LookupInbound(Protocol.Tcp, Client, 40000, Vip, 80, Syn, 0));
        Assert.Equal(index, table.LookupOutbound(Protocol.Tcp, server.Address, 8080, Client, 40000, 0));
        ref readonly var entry = ref table[index];
        Assert.Equal((Client, (ushort)40000, Vip, (ushort)80), (entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort));
        Assert.Equal((server.Address, (ushort)8080), (entry.RealAddress, entry.RealPort));
        Assert.Same(server, entry.Server);
        Assert.Equal(Http, entry.Service);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Lookup_DiffersByEveryPartOfTheKey()
    {
        var table = Table();
        var server = Server(2);
        table.Add(server, now: 0);

        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, Client, 40001, Vip, 80, Ack, 0));
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, Client, 40000, Vip, 443, Ack, 0));
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Udp, Client, 40000, Vip, 80, 0, 0));
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, IPv4Address.Parse("198.51.100.8"), 40000, Vip, 80, Ack, 0));
        Assert.Equal(ConnectionTable.NotFound, table.LookupOutbound(Protocol.Tcp, server.Address, 8081, Client, 40000, 0));
        Assert.Equal(ConnectionTable.NotFound, table.LookupOutbound(Protocol.Tcp, Server(3).Address, 8080, Client, 40000, 0));
    }

    [Fact]
    public void Add_OfAServerWithPortZero_UsesTheVirtualPort()
    {
        var table = Table();
        var server = Server(2, port: 0);
        int index = table.Add(server, now: 0);
        Assert.Equal(80, table[index].RealPort);
        Assert.Equal(index, table.LookupOutbound(Protocol.Tcp, server.Address, 80, Client, 40000, 0));
    }

    [Fact]
    public void Add_OfAKeyAlreadyTracked_ReturnsTheExistingConnection()
    {
        var table = Table();
        int index = table.Add(Server(2), now: 0);
        Assert.Equal(ConnectionAddResult.Exists, table.TryAdd(Http, Client, 40000, Server(3), 0, out int again));
        Assert.Equal(index, again);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void ClientOpensAndCloses_WalksIpvsStates_WithTheirTimeouts_AndTheServersCounters()
    {
        var table = Table();
        var server = Server(2);
        long t = 1_000_000;
        int index = table.Add(server, t);
        Assert.Equal((0, 1), (server.ActiveConnections, server.InactiveConnections));   // bound inactive, as IPVS

        void Step(int found, TcpState state, long timeoutSeconds, int active, int inactive)
        {
            Assert.Equal(index, found);
            Assert.Equal(state, table[index].State);
            Assert.Equal(t + timeoutSeconds * Second, table[index].ExpiresAt);
            Assert.Equal((active, inactive), (server.ActiveConnections, server.InactiveConnections));
        }

        Step(table.In(Syn, t), TcpState.SynRecv, 60, 1, 0);                    // handshake counts active since Linux 4.8
        t += 5; Step(table.Out(server, SynAck, t), TcpState.SynRecv, 60, 1, 0);
        t += 5; Step(table.In(Ack, t), TcpState.Established, 900, 1, 0);
        t += 5; Step(table.In(Ack, t), TcpState.Established, 900, 1, 0);     // data
        t += 5; Step(table.Out(server, Ack, t), TcpState.Established, 900, 1, 0);
        t += 5; Step(table.In(FinAck, t), TcpState.CloseWait, 60, 0, 1);
        t += 5; Step(table.Out(server, Ack, t), TcpState.CloseWait, 60, 0, 1);
        t += 5; Step(table.Out(server, FinAck, t), TcpState.TimeWait, 120, 0, 1);
        t += 5; Step(table.In(Ack, t), TcpState.TimeWait, 120, 0, 1);

        // TIME_WAIT runs out 120 s after the last packet; then the server's counters drop.
        Assert.Equal(0, table.Sweep(t + 120 * Second - 1, table.SlotCount));
        Assert.Equal(1, table.Sweep(t + 120 * Second, table.SlotCount));
        Assert.Equal((0, 0), (server.ActiveConnections, server.InactiveConnections));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void ServerCloses_FinWaitThenTimeWait()
    {
        var table = Table();
        var server = Server(2);
        long t = 0;
        int index = table.Add(server, t);
        table.In(Syn, t); table.Out(server, SynAck, t); table.In(Ack, t);

        t += 1000; table.Out(server, FinAck, t);
        Assert.Equal((TcpState.FinWait, t + 120 * Second), (table[index].State, table[index].ExpiresAt));
        Assert.Equal((0, 1), (server.ActiveConnections, server.InactiveConnections));
        t += 1000; table.In(Ack, t);
        Assert.Equal((TcpState.FinWait, t + 120 * Second), (table[index].State, table[index].ExpiresAt));
        t += 1000; table.In(FinAck, t);
        Assert.Equal((TcpState.TimeWait, t + 120 * Second), (table[index].State, table[index].ExpiresAt));
    }

    [Fact]
    public void ClientRst_OnAnEstablishedConnection_ClosesItFor10Seconds_AndCountsItInactive()
    {
        var table = Table();
        var server = Server(2);
        int index = table.Add(server, 0);
        table.In(Syn, 0); table.Out(server, SynAck, 0); table.In(Ack, 0);
        Assert.Equal((1, 0), (server.ActiveConnections, server.InactiveConnections));

        table.In(RstAck, 7000);
        Assert.Equal((TcpState.Close, 17_000L), (table[index].State, table[index].ExpiresAt));
        Assert.Equal((0, 1), (server.ActiveConnections, server.InactiveConnections));
        Assert.Equal(1, table.Sweep(17_000, table.SlotCount));
        Assert.Equal((0, 0), (server.ActiveConnections, server.InactiveConnections));
    }

    [Fact]
    public void ServerRst_AnsweringTheSyn_ClosesTheConnection()
    {
        var table = Table();
        var server = Server(2);
        int index = table.Add(server, 0);
        table.In(Syn, 0);
        table.Out(server, RstAck, 2000);   // port closed on the real server
        Assert.Equal((TcpState.Close, 12_000L), (table[index].State, table[index].ExpiresAt));
        Assert.Equal((0, 1), (server.ActiveConnections, server.InactiveConnections));
    }

    [Fact]
    public void Udp_LivesUdpTimeoutAfterItsLastDatagram_InEitherDirection_AndStaysInactive()
    {
        var table = Table();
        var server = Server(5, port: 53);
        int index = table.Add(server, 0, service: Dns);
        table.In(0, 0, service: Dns);
        Assert.Equal(300_000, table[index].ExpiresAt);
        Assert.Equal("UDP", table[index].StateName);
        table.Out(server, 0, 100_000, protocol: Protocol.Udp);
        Assert.Equal(400_000, table[index].ExpiresAt);
        Assert.Equal((0, 1), (server.ActiveConnections, server.InactiveConnections));

        Assert.Equal(index, table.LookupInbound(Protocol.Udp, Client, 40000, Vip, 53, 0, 399_999));
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Udp, Client, 40000, Vip, 53, 0, 400_000));
        Assert.Equal((0, 0), (server.ActiveConnections, server.InactiveConnections));
    }

    [Fact]
    public void Sweep_RemovesExactlyTheConnectionsExpiredByNow()
    {
        var table = Table();
        var a = Server(2);
        var b = Server(3);
        table.Add(a, 0, port: 1000);   // NONE: 2 s
        table.Add(b, 0, port: 1001);
        table.In(Syn, 0, port: 1001);  // SYN_RECV: 60 s

        Assert.Equal(0, table.Sweep(1999, table.SlotCount));
        Assert.Equal(1, table.Sweep(2000, table.SlotCount));
        Assert.Equal((0, 0), (a.ActiveConnections, a.InactiveConnections));
        Assert.Equal((1, 0), (b.ActiveConnections, b.InactiveConnections));
        Assert.Equal(1001, table[table.LookupInbound(Protocol.Tcp, Client, 1001, Vip, 80, Ack, 2000)].ClientPort);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Sweep_MovesThroughTheSlotsItIsGiven_AndContinuesWhereItStopped()
    {
        var table = Table(capacity: 16);
        var server = Server(2);
        for (ushort p = 0; p < 16; p++) table.Add(server, 0, port: (ushort)(1000 + p));   // all expire at 2 s
        Assert.Equal(32, table.SlotCount);

        // Eight sweeps of 4 slots cover the 32 slots once, each starting where the last stopped.
        int removed = 0;
        for (int i = 0; i < 8; i++) removed += table.Sweep(10_000, 4);
        Assert.Equal(16, removed);
        Assert.Equal(0, table.Count);
        Assert.Equal(0, server.InactiveConnections);
        Assert.Equal(0, table.Sweep(10_000, 100));   // never more than the whole table, nothing left
    }

    [Fact]
    public void Lookup_OfAnExpiredConnection_RemovesIt_EvenBeforeTheSweepReachesIt()
    {
        var table = Table();
        var server = Server(2);
        table.Add(server, 0);
        table.In(Syn, 0);   // 60 s
        Assert.Equal(ConnectionTable.NotFound, table.LookupOutbound(Protocol.Tcp, server.Address, 8080, Client, 40000, 60_000));
        Assert.Equal(0, table.Count);
        Assert.Equal((0, 0), (server.ActiveConnections, server.InactiveConnections));
    }

    [Fact]
    public void FullTable_RefusesANewConnection_AndKeepsEveryEstablishedOne()
    {
        var table = Table(capacity: 8);
        var server = Server(2);
        for (ushort p = 0; p < 8; p++)
        {
            table.Add(server, 0, port: (ushort)(1000 + p));
            table.In(Syn, 0, port: (ushort)(1000 + p));
            table.In(Ack, 0, port: (ushort)(1000 + p));
        }

        Assert.Equal(ConnectionAddResult.Full, table.TryAdd(Http, Client, 2000, server, 1000, out int refused));
        Assert.Equal(ConnectionTable.NotFound, refused);
        Assert.Equal(8, table.Count);
        Assert.Equal((8, 0), (server.ActiveConnections, server.InactiveConnections));
        for (ushort p = 0; p < 8; p++)
        {
            int index = table.LookupInbound(Protocol.Tcp, Client, (ushort)(1000 + p), Vip, 80, Ack, 1000);
            Assert.NotEqual(ConnectionTable.NotFound, index);
            Assert.Equal(TcpState.Established, table[index].State);
        }
    }

    [Fact]
    public void FullTable_ReclaimsAnExpiredConnectionBeforeRefusing()
    {
        var table = Table(capacity: 4);
        var server = Server(2);
        for (ushort p = 0; p < 4; p++)
        {
            table.Add(server, 0, port: (ushort)(1000 + p));
            table.In(Syn, 0, port: (ushort)(1000 + p));
            if (p != 2) table.In(Ack, 0, port: (ushort)(1000 + p));   // 1002 stays in SYN_RECV: 60 s
        }

        Assert.Equal(ConnectionAddResult.Added, table.TryAdd(Http, Client, 2000, server, 60_000, out int added));
        Assert.Equal(4, table.Count);
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, Client, 1002, Vip, 80, Ack, 60_000));
        Assert.Equal(added, table.LookupInbound(Protocol.Tcp, Client, 2000, Vip, 80, Syn, 60_000));
        Assert.Equal((3, 1), (server.ActiveConnections, server.InactiveConnections));
    }

    [Theory]
    [InlineData(TcpState.TimeWait)]
    [InlineData(TcpState.Close)]
    public void FullTable_GivesTheSlotOfAnEndedConnectionToANewOne_AndKeepsTheOpenOnes(TcpState ended)
    {
        var table = Table(capacity: 4);
        var server = Server(2);
        for (ushort p = 1000; p < 1004; p++)
        {
            table.Add(server, 0, port: p);
            table.In(Syn, 0, port: p); table.Out(server, SynAck, 0, port: p); table.In(Ack, 0, port: p);
        }
        if (ended == TcpState.TimeWait) { table.In(FinAck, 0, port: 1002); table.Out(server, FinAck, 0, port: 1002); }
        else table.In(Rst, 0, port: 1002);
        Assert.Equal(ended, table[table.LookupInbound(Protocol.Tcp, Client, 1002, Vip, 80, Ack, 1000)].State);

        Assert.Equal(ConnectionAddResult.Added, table.TryAdd(Http, Client, 2000, server, 1000, out int added));

        Assert.Equal(4, table.Count);
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, Client, 1002, Vip, 80, Ack, 1000));
        Assert.Equal(added, table.LookupInbound(Protocol.Tcp, Client, 2000, Vip, 80, Syn, 1000));
        foreach (ushort p in (ushort[])[1000, 1001, 1003])
            Assert.Equal(TcpState.Established, table[table.LookupInbound(Protocol.Tcp, Client, p, Vip, 80, Ack, 1000)].State);
        Assert.Equal((3, 1), (server.ActiveConnections, server.InactiveConnections));
    }

    [Fact]
    public void FullTable_OfConnectionsStillClosing_RefusesANewOne()
    {
        var table = Table(capacity: 2);
        var server = Server(2);
        for (ushort p = 1000; p < 1002; p++)
        {
            table.Add(server, 0, port: p);
            table.In(Syn, 0, port: p); table.Out(server, SynAck, 0, port: p); table.In(Ack, 0, port: p);
            table.In(FinAck, 0, port: p);   // FIN_WAIT: the connection has not ended yet
        }

        Assert.Equal(ConnectionAddResult.Full, table.TryAdd(Http, Client, 2000, server, 1000, out _));
        Assert.Equal(2, table.Count);
    }

    [Theory]
    [InlineData(TcpState.TimeWait)]
    [InlineData(TcpState.Close)]
    public void Syn_ThatMeetsAClosedConnection_RemovesIt_SoTheCallerSchedulesAfresh(TcpState closed)
    {
        var table = Table();
        var old = Server(2);
        table.Add(old, 0);
        table.In(Syn, 0); table.Out(old, SynAck, 0); table.In(Ack, 0);
        if (closed == TcpState.TimeWait) { table.In(FinAck, 0); table.Out(old, FinAck, 0); }
        else table.In(Rst, 0);
        int index = table.LookupInbound(Protocol.Tcp, Client, 40000, Vip, 80, Ack, 1000);
        Assert.Equal(closed, table[index].State);

        // The client reuses its port: the SYN must not be stalled by (or sent to) the old connection.
        Assert.Equal(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, Client, 40000, Vip, 80, Syn, 1000));
        Assert.Equal((0, 0), (old.ActiveConnections, old.InactiveConnections));
        var fresh = Server(3);
        int reused = table.Add(fresh, 1000);
        Assert.Equal(TcpState.SynRecv, table[table.In(Syn, 1000)].State);
        Assert.Same(fresh, table[reused].Server);
    }

    [Fact]
    public void Syn_ThatMeetsAnOpenConnection_GoesToThatConnection()
    {
        var table = Table();
        var server = Server(2);
        int index = table.Add(server, 0);
        table.In(Syn, 0); table.Out(server, SynAck, 0); table.In(Ack, 0);
        Assert.Equal(index, table.In(Syn, 1000));   // a retransmitted or stray SYN keeps the connection
        Assert.Equal(TcpState.Established, table[index].State);
    }

    [Fact]
    public void TimeoutChange_AppliesFromEachConnectionsNextPacket()
    {
        var timeouts = new IpvsTimeouts();
        var table = Table(timeouts: timeouts);
        var server = Server(2);
        int index = table.Add(server, 0);
        table.In(Syn, 0); table.Out(server, SynAck, 0); table.In(Ack, 0);
        Assert.Equal(900_000, table[index].ExpiresAt);

        timeouts.Set(tcpSeconds: 60, tcpFinSeconds: 0, udpSeconds: 0);
        Assert.Equal(900_000, table[index].ExpiresAt);            // as in IPVS: set at the last packet
        table.In(Ack, 10_000);
        Assert.Equal(70_000, table[index].ExpiresAt);
        table.Out(server, FinAck, 20_000);                         // FIN_WAIT keeps its 120 s
        Assert.Equal(140_000, table[index].ExpiresAt);
    }

    [Fact]
    public void FlushServer_RemovesItsConnectionsOnly_EvenAfterItsWeightWasEdited()
    {
        var table = Table();
        var a = Server(2);
        var b = Server(3);
        table.Add(a, 0, port: 1);
        table.Add(b, 0, port: 2);
        table.Add(a, 0, port: 3);
        var edited = a.With(weight: 5);   // a new snapshot object with the same counters

        Assert.Equal(2, table.FlushServer(edited, 0));
        Assert.Equal((0, 0), (a.ActiveConnections, a.InactiveConnections));
        Assert.Equal(1, table.Count);
        Assert.NotEqual(ConnectionTable.NotFound, table.LookupInbound(Protocol.Tcp, Client, 2, Vip, 80, Ack, 0));
    }

    [Fact]
    public void FlushService_RemovesThatServicesConnectionsOnly()
    {
        var table = Table();
        var server = Server(2);
        table.Add(server, 0, port: 1);
        table.Add(server, 0, port: 2, service: Dns);
        Assert.Equal(1, table.FlushService(Dns, 0));
        Assert.Equal(1, table.Count);
        Assert.Equal(1, table.Flush(0));
        Assert.Equal(0, server.InactiveConnections);
    }

    [Fact]
    public void CopyTo_ListsWhatIpvsadmListConnectionsPrints()
    {
        var table = Table();
        var server = Server(2);
        table.Add(server, 0);
        table.In(Syn, 0); table.Out(server, SynAck, 0); table.In(Ack, 0);
        table.Add(Server(5, 53), 0, port: 5353, service: Dns);

        var lines = new List<ConnectionInfo>();
        Assert.Equal(2, table.CopyTo(lines, 100_000));
        Assert.Contains(new ConnectionInfo(Protocol.Tcp, "ESTABLISHED", 800_000, Client, 40000, Vip, 80, server.Address, 8080, false), lines);
        Assert.Contains(new ConnectionInfo(Protocol.Udp, "UDP", 200_000, Client, 5353, Vip, 53, Server(5).Address, 53, false), lines);
    }

    [Fact]
    public void BytesPerConnection_IsAtMost128_AndIsWhatTheTableReallyAllocates()
    {
        Assert.True(ConnectionTable.BytesPerConnection <= 128, $"{ConnectionTable.BytesPerConnection} bytes");
        const int capacity = 1 << 16;
        var timeouts = new IpvsTimeouts();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var table = new ConnectionTable(capacity, timeouts);
        long perConnection = (GC.GetAllocatedBytesForCurrentThread() - before) / capacity;
        Assert.True(perConnection <= 128, $"{perConnection} bytes allocated per connection");
        Assert.Equal(capacity, table.Capacity);
    }

    [Fact]
    public void LookupsAndStateUpdates_AllocateNothing()
    {
        var table = Table(capacity: 1024);
        var server = Server(2);
        for (ushort p = 0; p < 512; p++) table.Add(server, 0, port: (ushort)(10_000 + p));
        var rip = server.Address;

        void Run(int packets)
        {
            for (int i = 0; i < packets; i++)
            {
                ushort port = (ushort)(10_000 + (i & 511));
                int inbound = table.LookupInbound(Protocol.Tcp, Client, port, Vip, 80, Ack, i);
                table.Update(inbound, ConnectionDirection.Input, (i & 3) == 0 ? Syn : Ack, i);
                int outbound = table.LookupOutbound(Protocol.Tcp, rip, 8080, Client, port, i);
                table.Update(outbound, ConnectionDirection.Output, Ack, i);
            }
            table.Sweep(packets, 64);
        }

        Run(10_000);   // warm up (tiered JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(100_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(512, table.Count);
    }
}
