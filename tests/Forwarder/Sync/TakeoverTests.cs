using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Forwarder.Sync;
using UserLvs.Forwarder.Tests.Nat;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Sync;

/// <summary>
/// The point of connection sync: router A (active) forwards a client's connection and exports it;
/// its records travel as encoded batches to router B (standby, the same virtual services, its own
/// connection table), which holds them without forwarding. B takes the floating addresses over, and
/// the client's next mid-stream segment (no SYN) goes through B to the SAME real server with the
/// right NAT rewrite, and that server's reply through B leaves from VIP:vport: no reset, no
/// rescheduling. For a persistent service, a new connection of the same client network after the
/// takeover lands on the same real server through the synced template.
/// </summary>
public sealed class TakeoverTests : IDisposable
{
    private const ushort Port = 40001;
    private static readonly IPv4Address OtherNetworkClient = IPv4Address.Parse("203.0.113.9");

    private readonly ConnectionSyncExport _export = new(capacity: 256);
    private readonly ConnectionSyncImport _import = new(capacity: 256);
    private readonly NatLab _a;
    private readonly NatLab _b;
    private readonly ConnectionSyncBatcher _batcher;
    private readonly ConnectionSyncImporter _importer;
    private RealServer[] _serversOfB = [];

    public TakeoverTests()
    {
        _a = new NatLab(export: _export);
        _b = new NatLab(ownership: new FloatingAddressOwnership(owned: false), import: _import);
        _batcher = new ConnectionSyncBatcher([_export]);
        _importer = new ConnectionSyncImporter([_import], _b.Services, _b.Templates);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private void Configure(Persistence persistence = default)
    {
        _a.AddService(NatLab.Http, persistence: persistence);
        _serversOfB = _b.AddService(NatLab.Http, persistence: persistence);
        _a.LearnServers();
        _b.LearnServers();
    }

    /// <summary>What the sync sender and receiver do: drain A's records into datagrams, import them on B; B's idle worker applies them.</summary>
    private int Sync()
    {
        var datagram = new byte[ConnectionSyncBatch.MaxSize];
        int batches = 0;
        for (int n; (n = _batcher.TakeBatch(datagram)) > 0; batches++)
            Assert.Equal(SyncDecodeStatus.Ok, _importer.Import(datagram.AsSpan(0, n), _b.Now));
        _b.Idle();
        return batches;
    }

    /// <summary>A connection through A up to some data both ways; returns the real server A chose.</summary>
    private int EstablishThroughA(ushort port, IPv4Address? client = null, MacAddress? clientMac = null)
    {
        var synSent = _a.FromClient(Wire.ClientTcp(port, TcpFlags.Syn, client: client, clientMac: clientMac, sequence: 100)).ToServer();
        int server = NatLab.ServerNumber(Wire.Address(Assert.IsType<PacketDotNet.IPv4Packet>(
            PacketDotNet.Packet.ParsePacket(PacketDotNet.LinkLayers.Ethernet, synSent).PayloadPacket).DestinationAddress));
        if (client is null)
        {
            _a.FromServer(Wire.ServerTcp(server, port, TcpFlags.Syn | TcpFlags.Ack, sequence: 700, acknowledgment: 101)).ToClient();
            _a.FromClient(Wire.ClientTcp(port, TcpFlags.Ack, sequence: 101, acknowledgment: 701)).ToServer();
            _a.FromClient(Wire.ClientTcp(port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(200), sequence: 101, acknowledgment: 701)).ToServer();
            _a.FromServer(Wire.ServerTcp(server, port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(1000), sequence: 701, acknowledgment: 301)).ToClient();
            Assert.Equal("ESTABLISHED", _a.ConnectionOf(port).StateName);
        }
        return server;
    }

    [Fact]
    public void AfterTakeover_AnEstablishedConnection_ContinuesMidStream_ThroughTheNewActiveRouter_ToTheSameRealServer()
    {
        Configure();
        Assert.Equal(1, EstablishThroughA(40000));   // another client first, so that A's choice for ours is not rr's first
        Assert.Equal(2, EstablishThroughA(Port));

        Assert.Equal(1, Sync());

        // B holds both without forwarding: a segment that reaches it early is dropped and changes nothing.
        Assert.Equal(2, _b.Connections.Count);
        Assert.Equal(("ESTABLISHED", NatLab.Rip(2), NatLab.HttpRealPort), (_b.ConnectionOf(Port).StateName, _b.ConnectionOf(Port).RealAddress, _b.ConnectionOf(Port).RealPort));
        var early = Wire.ClientTcp(Port, TcpFlags.Ack, sequence: 301, acknowledgment: 1701);
        _b.FromClient(early).AssertSilent(FrameVerdict.Dropped, DropReason.Standby);
        Assert.Equal((1, 0), (_serversOfB[1].ActiveConnections, _serversOfB[1].InactiveConnections));
        Assert.False(_b.Neighbours.TryGet(NatLab.Client, out _));   // B never saw this client

        _b.Ownership.Acquire();   // A died; B takes over
        _b.Now += 500;

        var payload = Wire.Payload(300, seed: 9);
        var toServer = _b.FromClient(Wire.ClientTcp(Port, TcpFlags.Psh | TcpFlags.Ack, payload, sequence: 301, acknowledgment: 1701)).ToServer();
        var tcp = Wire.AssertToServer(toServer, server: 2, Port);
        Assert.Equal((301u, 1701u), (tcp.SequenceNumber, tcp.AcknowledgmentNumber));
        Assert.Equal(payload, tcp.PayloadData);
        Assert.False(tcp.Synchronize || tcp.Reset);

        var reply = Wire.Payload(700, seed: 10);
        var toClient = _b.FromServer(Wire.ServerTcp(2, Port, TcpFlags.Psh | TcpFlags.Ack, reply, sequence: 1701, acknowledgment: 601)).ToClient();
        var back = Wire.AssertToClient(toClient, Port);   // from VIP:80, to the client's MAC learned from its segment
        Assert.Equal((1701u, 601u), (back.SequenceNumber, back.AcknowledgmentNumber));
        Assert.Equal(reply, back.PayloadData);
        Assert.False(back.Synchronize || back.Reset);

        // No rescheduling: B counted no new connection, and the entry is an ordinary one now.
        Assert.Equal(0, _b.Services.Current.Find(NatLab.Http)!.Traffic.Read().Connections);
        Assert.Equal("ESTABLISHED", _b.ConnectionOf(Port).StateName);
        Assert.False(_b.ConnectionOf(Port).IsSynced);
        Assert.Equal(0, _b.Engine.Stats.Dropped(DropReason.NoConnection));
    }

    [Fact]
    public void AfterTakeover_ANewConnectionOfAPersistentClient_LandsOnTheSameRealServer()
    {
        Configure(new Persistence(300, IPv4Address.Parse("255.255.255.0")));
        Assert.Equal(1, EstablishThroughA(40000, client: NatLab.RemoteClient, clientMac: NatLab.GatewayMac));
        Assert.Equal(2, EstablishThroughA(Port));   // the client's network 192.0.2.0/24 now persists to server 2

        Sync();
        Assert.Equal(2, _b.Templates.Count);
        Assert.Equal(1, _serversOfB[1].Counters.Persistent);
        _b.Ownership.Acquire();
        _b.Now += 1000;

        // A new connection (a SYN, another port) of the same client after the takeover: the template decides.
        Wire.AssertToServer(_b.FromClient(Wire.ClientTcp(Port + 1, TcpFlags.Syn)).ToServer(), server: 2, (ushort)(Port + 1));
        // Without a template, B's rr would have started at server 1, as a client of a third network shows.
        var stranger = Wire.Tcp(NatLab.GatewayMac, NatLab.PublicMac, OtherNetworkClient, 50000, NatLab.Vip, 80, TcpFlags.Syn);
        Wire.AssertToServer(_b.FromClient(stranger).ToServer(), server: 1, 50000, OtherNetworkClient);
    }

    [Fact]
    public void WithoutSync_TheSameSegment_WouldNotBeForwarded()
    {
        // The control for the test above: a takeover with nothing synced loses the connection.
        Configure();
        EstablishThroughA(Port);
        _b.Ownership.Acquire();

        _b.FromClient(Wire.ClientTcp(Port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(300), sequence: 301))
            .AssertSilent(FrameVerdict.Dropped, DropReason.NoConnection);
    }

    [Fact]
    public void APeerThatAppearsLate_GetsTheWholeTable_FromExportAll_AndCanTakeOverItsEstablishedConnections()
    {
        Configure();
        EstablishThroughA(40000);
        int server = EstablishThroughA(Port);
        // Everything A exported went nowhere: B was not there yet (a backup that restarts, a primary that returns).
        var lost = new ConnectionSyncRecord[256];
        while (_export.Drain(lost) > 0) { }
        Assert.Equal(0, Sync());

        int next = 0, chunks = 0;
        do { next = _a.Engine.ExportAll(next, 16, _a.Now); chunks++; Sync(); } while (next >= 0);

        Assert.True(chunks > 1, "the table was walked in chunks");
        Assert.Equal(2, _b.Connections.Count);
        _b.Ownership.Acquire();
        _b.Now += 500;
        var toServer = _b.FromClient(Wire.ClientTcp(Port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(100), sequence: 301, acknowledgment: 1701)).ToServer();
        var tcp = Wire.AssertToServer(toServer, server, Port);
        Assert.False(tcp.Synchronize || tcp.Reset);
        Assert.Equal(0, _b.Services.Current.Find(NatLab.Http)!.Traffic.Read().Connections);
    }

    [Fact]
    public void ADumpChunk_TakesWholeRuns_SoARemovalBetweenChunksMovesNoConnectionPastTheDump()
    {
        Configure();
        // Three client ports whose connections share one run of A's table (the same home slot).
        var table = _a.Connections;
        var ports = Enumerable.Range(41000, 20000).Select(p => (ushort)p)
            .GroupBy(p => table.HomeSlot(Scheduling.Protocol.Tcp, NatLab.Client, p))
            .First(g => g.Count() >= 3 && g.Key < table.SlotCount - 8).Take(3).ToArray();
        int home = table.HomeSlot(Scheduling.Protocol.Tcp, NatLab.Client, ports[0]);
        foreach (var port in ports) EstablishThroughA(port);
        var lost = new ConnectionSyncRecord[256];
        while (_export.Drain(lost) > 0) { }

        // The first chunk is asked to end inside the run, right after its first slot; it goes on to the run's end.
        int next = _a.Engine.ExportAll(0, home + 1, _a.Now);
        Assert.True(next >= home + 3, $"the chunk stopped at {next}, inside the run from {home}");
        // Between chunks the first connection ends, and the run moves up into its slot.
        table.Remove(table.LookupInbound(Scheduling.Protocol.Tcp, NatLab.Client, ports[0], NatLab.Http.Address, 80, 0, _a.Now), _a.Now);
        Sync();
        do { next = _a.Engine.ExportAll(next, 16, _a.Now); Sync(); } while (next >= 0);

        foreach (var port in ports)
            Assert.NotEqual(-1, _b.Connections.LookupInbound(Scheduling.Protocol.Tcp, NatLab.Client, port, NatLab.Http.Address, 80, 0, _b.Now));
    }
}
