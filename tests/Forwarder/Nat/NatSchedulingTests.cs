using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// Which real server a new connection's SYN reaches: the service's scheduler decides (rr walks the
/// list, wlc takes the least overhead/weight with ties to the earlier server), a persistent
/// service's template overrides it for the same client network (ip_vs_sched_persist), and a full
/// connection table refuses new connections without disturbing the established ones.
/// </summary>
public sealed class NatSchedulingTests : IDisposable
{
    private readonly NatLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private int SynReaches(ushort clientPort, IPv4Address? client = null, MacAddress? clientMac = null)
    {
        var sent = _lab.FromClient(Wire.ClientTcp(clientPort, TcpFlags.Syn, client: client, clientMac: clientMac)).ToServer();
        var ip = PacketDotNet.Packet.ParsePacket(PacketDotNet.LinkLayers.Ethernet, sent).Extract<PacketDotNet.IPv4Packet>();
        int server = NatLab.ServerNumber(Wire.Address(ip.DestinationAddress));
        Assert.InRange(server, 1, 3);
        // Whichever server it is, the frame must be exactly the rewrite for it.
        Wire.AssertToServer(sent, server, clientPort, client);
        return server;
    }

    [Fact]
    public void RoundRobin_SixClientPorts_ReachTheThreeServersInListOrder_Twice()
    {
        _lab.AddService(NatLab.Http);
        _lab.LearnServers();

        var reached = new int[6];
        for (int i = 0; i < 6; i++) reached[i] = SynReaches((ushort)(40001 + i));

        Assert.Equal([1, 2, 3, 1, 2, 3], reached);
        for (int i = 0; i < 6; i++) Assert.Equal(NatLab.Rip(reached[i]), _lab.ConnectionOf((ushort)(40001 + i)).RealAddress);
    }

    [Fact]
    public void RoundRobin_SegmentsOfAConnection_StayWithItsServer_WhileNewConnectionsMoveOn()
    {
        _lab.AddService(NatLab.Http);
        _lab.LearnServers();
        Assert.Equal(1, SynReaches(40001));
        Assert.Equal(2, SynReaches(40002));

        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(40001, TcpFlags.Ack)).ToServer(), server: 1, 40001);
        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(40002, TcpFlags.Ack)).ToServer(), server: 2, 40002);
        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(40001, TcpFlags.Syn)).ToServer(), server: 1, 40001);   // a retransmitted SYN
        Assert.Equal(3, SynReaches(40003));
    }

    [Fact]
    public void WeightedLeastConnection_PicksTheLeastOverhead_AndCountsEachNewConnectionAsActive()
    {
        var servers = _lab.AddService(NatLab.Http, SchedulerNames.WeightedLeastConnection);
        _lab.LearnServers();
        // Existing load (overhead = active * 256 + inactive): 1 -> 512, 2 -> 5, 3 -> 256.
        Bind(servers[0], active: 2, inactive: 0);
        Bind(servers[1], active: 0, inactive: 5);
        Bind(servers[2], active: 1, inactive: 0);

        // 2 (5); 3 (256 < 261); 2 (261 < 512); 1 (512 ties 3, the earlier wins; 2 is 517); 3 (512 < 517 < 768).
        var reached = new int[5];
        for (int i = 0; i < 5; i++) reached[i] = SynReaches((ushort)(40001 + i));

        Assert.Equal([2, 3, 2, 1, 3], reached);
        Assert.Equal([(3, 0), (2, 5), (3, 0)], servers.Select(s => (s.ActiveConnections, s.InactiveConnections)));
    }

    [Fact]
    public void WeightedLeastConnection_Weights_ScaleTheOverhead()
    {
        var servers = _lab.AddService(NatLab.Http, SchedulerNames.WeightedLeastConnection, weights: [1, 3, 1]);
        _lab.LearnServers();
        Bind(servers[0], active: 1, inactive: 0);   // 256 / 1
        Bind(servers[1], active: 2, inactive: 0);   // 512 / 3
        Bind(servers[2], active: 1, inactive: 0);   // 256 / 1

        // Overhead per weight, ties to the earlier server:
        //   2 (170.7 < 256); 1 (256 = 768/3 = 256: the earliest tie); 2 (768/3 = 256 ties 3, 2 is earlier); 3 (256 < 341.3 < 512).
        var reached = new int[4];
        for (int i = 0; i < 4; i++) reached[i] = SynReaches((ushort)(40001 + i));

        Assert.Equal([2, 1, 2, 3], reached);
    }

    private static void Bind(RealServer server, int active, int inactive)
    {
        for (int i = 0; i < active; i++) server.Counters.ConnectionBound(active: true);
        for (int i = 0; i < inactive; i++) server.Counters.ConnectionBound(active: false);
    }

    [Fact]
    public void Persistence_AClientNetwork_KeepsItsServer_OtherNetworksAreScheduled()
    {
        var servers = _lab.AddService(NatLab.Http, persistence: new Persistence(300, IPv4Address.Parse("255.255.255.0")));
        _lab.LearnServers();

        Assert.Equal(1, SynReaches(40001));
        Assert.Equal(1, SynReaches(40002));                                                  // same client, new connection
        Assert.Equal(1, SynReaches(40003, NatLab.Neighbour, NatLab.NeighbourMac));           // same /24
        var syn = Wire.Tcp(NatLab.GatewayMac, NatLab.PublicMac, NatLab.RemoteClient, 40004, NatLab.Vip, 80, TcpFlags.Syn);
        Wire.AssertToServer(_lab.FromClient(syn).ToServer(), server: 2, 40004, NatLab.RemoteClient);   // another network: rr goes on
        Assert.Equal(1, SynReaches(40005));

        Assert.Equal(2, _lab.Templates.Count);
        Assert.Equal([4, 1, 0], servers.Select(s => s.ActiveConnections));
    }

    // Established, then reset: CLOSE, which expires 10 s later (a RST in SYN_RECV would keep SYN_RECV).
    private void Close(ushort port)
    {
        _lab.FromClient(Wire.ClientTcp(port, TcpFlags.Ack)).ToServer();
        _lab.FromClient(Wire.ClientTcp(port, TcpFlags.Rst)).ToServer();
        Assert.Equal("CLOSE", _lab.ConnectionOf(port).StateName);
    }

    // A client network's template lives `timeout` after its last connection ended; then the client
    // is scheduled afresh.
    private void TemplateLifetime(bool idleBatchesSweepTheTable)
    {
        _lab.AddService(NatLab.Http, persistence: new Persistence(300, IPv4Address.Parse("255.255.255.255")));
        _lab.LearnServers();
        Assert.Equal(1, SynReaches(40001));
        Close(40001);

        _lab.Now += 200_000;   // the connection ended 190 s ago: the template still holds
        Assert.Equal(1, SynReaches(40002));
        Close(40002);

        _lab.Now += 10_000 + 300_000 + 1;   // the second connection ended 300 s + 1 ms ago
        if (idleBatchesSweepTheTable)
            for (int i = 0; i < _lab.Connections.Capacity / 64; i++) { _lab.Engine.BeginBatch(_lab.Now); _lab.Engine.EndBatch(_lab.Now); }
        Assert.Equal(2, SynReaches(40003));
    }

    [Fact]
    public void Persistence_TheTemplateExpires_TimeoutAfterItsLastConnection_OnceTheSweepHasSeenThem() =>
        TemplateLifetime(idleBatchesSweepTheTable: true);

    [Fact]
    public void Persistence_TheTemplateExpires_TimeoutAfterItsLastConnection_WhateverTheSweepHasReached() =>
        TemplateLifetime(idleBatchesSweepTheTable: false);

    [Fact]
    public void AFullConnectionTable_RefusesTheSeventeenthSyn_AndTheSixteenthKeepForwarding()
    {
        using var lab = new NatLab(capacity: 16);
        var servers = lab.AddService(NatLab.Http);
        lab.LearnServers();
        for (int i = 0; i < 16; i++)
            Wire.AssertToServer(lab.FromClient(Wire.ClientTcp((ushort)(40001 + i), TcpFlags.Syn)).ToServer(), server: i % 3 + 1, (ushort)(40001 + i));

        lab.FromClient(Wire.ClientTcp(40017, TcpFlags.Syn)).AssertSilent(FrameVerdict.Dropped, DropReason.ConnectionTableFull);
        Assert.Equal(1, lab.Engine.Stats.Dropped(DropReason.ConnectionTableFull));

        for (int i = 0; i < 16; i++)
        {
            ushort port = (ushort)(40001 + i);
            int server = i % 3 + 1;
            Wire.AssertToClient(lab.FromServer(Wire.ServerTcp(server, port, TcpFlags.Syn | TcpFlags.Ack)).ToClient(), port);
            Wire.AssertToServer(lab.FromClient(Wire.ClientTcp(port, TcpFlags.Ack)).ToServer(), server, port);
            Wire.AssertToServer(lab.FromClient(Wire.ClientTcp(port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(100))).ToServer(), server, port);
        }
        Assert.Equal(16, lab.Connections.Count);
        Assert.Equal(16, servers.Sum(s => s.ActiveConnections + s.InactiveConnections));
        Assert.Equal([6, 5, 5], servers.Select(s => s.ActiveConnections));
        // The refused client is still refused, and a non-SYN of it is no connection of ours.
        lab.FromClient(Wire.ClientTcp(40017, TcpFlags.Syn)).AssertSilent(FrameVerdict.Dropped, DropReason.ConnectionTableFull);
        lab.FromClient(Wire.ClientTcp(40017, TcpFlags.Ack)).AssertSilent(FrameVerdict.Dropped, DropReason.NoConnection);
    }

    [Fact]
    public void AServiceWhoseServersAreAllQuiesced_DropsNewConnections_AsNoRealServer()
    {
        _lab.AddService(NatLab.Http, weights: [0, 0, 0]);
        _lab.LearnServers();

        _lab.FromClient(Wire.ClientTcp(40001, TcpFlags.Syn)).AssertSilent(FrameVerdict.Dropped, DropReason.NoRealServer);
        Assert.Equal(0, _lab.Connections.Count);
    }
}
