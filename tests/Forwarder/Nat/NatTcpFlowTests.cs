using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// One TCP connection through LVS-NAT, packet by packet (ip_vs_in / ip_vs_out, ip_vs_nat_xmit):
/// the client's segments leave on the private side to RIP:rport with the client's address kept,
/// the server's leave on the public side from VIP:vport; the virtual port (80) and the real port
/// (8080) differ, so a rewrite that forgets the port shows. The connection walks IPVS's tcp_states
/// and the real server's active/inactive counts follow (handshake states count as active since
/// Linux 4.8; CLOSE_WAIT and TIME_WAIT are inactive).
/// </summary>
public sealed class NatTcpFlowTests : IDisposable
{
    private const ushort Port = 40001;
    private readonly NatLab _lab = new();
    private readonly RealServer[] _servers;

    public NatTcpFlowTests()
    {
        _servers = _lab.AddService(NatLab.Http);
        _lab.LearnServers();
    }

    public void Dispose() => _lab.Dispose();

    private (int Active, int Inactive) Counts(int server) =>
        (_servers[server - 1].ActiveConnections, _servers[server - 1].InactiveConnections);

    [Fact]
    public void Syn_ToTheVip_LeavesOnThePrivateSide_ToTheRealServersPort_WithTheClientKept()
    {
        var payload = Wire.Payload(0);
        var syn = Wire.ClientTcp(Port, TcpFlags.Syn, payload, sequence: 0x11223344);

        var sent = _lab.FromClient(syn).ToServer();

        var tcp = Wire.AssertToServer(sent, server: 1, Port);
        Assert.True(tcp.Synchronize);
        Assert.False(tcp.Acknowledgment);
        Assert.Equal(0x11223344u, tcp.SequenceNumber);
        Assert.Equal(64240, tcp.WindowSize);
        var connection = _lab.ConnectionOf(Port);
        Assert.Equal(("SYN_RECV", NatLab.Rip(1), (ushort)8080), (connection.StateName, connection.RealAddress, connection.RealPort));
        Assert.Equal((1, 0), Counts(1));
        Assert.Equal(1, _lab.Engine.Stats.ForwardedToServers);
        Assert.True(_lab.Neighbours.TryGet(NatLab.Client, out var learned));   // an on-link client is learned from its SYN
        Assert.Equal(NatLab.ClientMac, learned);
    }

    [Fact]
    public void SynAck_FromTheRealServer_LeavesOnThePublicSide_FromTheVirtualService()
    {
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer();

        var sent = _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack, sequence: 777, acknowledgment: 1001)).ToClient();

        var tcp = Wire.AssertToClient(sent, Port);
        Assert.True(tcp.Synchronize && tcp.Acknowledgment);
        Assert.Equal((777u, 1001u), (tcp.SequenceNumber, tcp.AcknowledgmentNumber));
        Assert.Equal("SYN_RECV", _lab.ConnectionOf(Port).StateName);
        Assert.Equal(1, _lab.Engine.Stats.ForwardedToClients);
    }

    /// <summary>
    /// The whole exchange: each step's direction, flags, the state IPVS's table gives after it, and
    /// the real server's (active, inactive) counts after it.
    /// </summary>
    public static TheoryData<int> Steps => new(Enumerable.Range(0, Exchange.Length));

    private static readonly (string Step, bool FromClient, TcpFlags Flags, int PayloadLength, string State, int Active, int Inactive)[] Exchange =
    [
        ("client SYN", true, TcpFlags.Syn, 0, "SYN_RECV", 1, 0),
        ("server SYN-ACK", false, TcpFlags.Syn | TcpFlags.Ack, 0, "SYN_RECV", 1, 0),
        ("client ACK", true, TcpFlags.Ack, 0, "ESTABLISHED", 1, 0),
        ("client request", true, TcpFlags.Psh | TcpFlags.Ack, 517, "ESTABLISHED", 1, 0),
        ("server response", false, TcpFlags.Psh | TcpFlags.Ack, 1400, "ESTABLISHED", 1, 0),
        ("server odd-sized response", false, TcpFlags.Ack, 333, "ESTABLISHED", 1, 0),
        ("client FIN", true, TcpFlags.Fin | TcpFlags.Ack, 0, "CLOSE_WAIT", 0, 1),
        ("server FIN", false, TcpFlags.Fin | TcpFlags.Ack, 0, "TIME_WAIT", 0, 1),
        ("client last ACK", true, TcpFlags.Ack, 0, "TIME_WAIT", 0, 1),
    ];

    [Theory]
    [MemberData(nameof(Steps))]
    public void AConnection_FollowsItsServerBothWays_AndIpvsStatesMoveTheServersCounters(int last)
    {
        for (int i = 0; i <= last; i++)
        {
            var (step, fromClient, flags, length, state, active, inactive) = Exchange[i];
            var payload = Wire.Payload(length, seed: i);
            uint sequence = (uint)(1000 * i + 1);
            if (fromClient)
            {
                var sent = _lab.FromClient(Wire.ClientTcp(Port, flags, payload, sequence: sequence)).ToServer();
                var tcp = Wire.AssertToServer(sent, server: 1, Port);
                Assert.Equal((ushort)flags, (ushort)(tcp.Flags & 0xFF));
                Assert.Equal(payload, tcp.PayloadData ?? []);
                Assert.Equal(sequence, tcp.SequenceNumber);
            }
            else
            {
                var sent = _lab.FromServer(Wire.ServerTcp(1, Port, flags, payload, sequence: sequence)).ToClient();
                var tcp = Wire.AssertToClient(sent, Port);
                Assert.Equal((ushort)flags, (ushort)(tcp.Flags & 0xFF));
                Assert.Equal(payload, tcp.PayloadData ?? []);
                Assert.Equal(sequence, tcp.SequenceNumber);
            }
            Assert.True(state == _lab.ConnectionOf(Port).StateName, $"after {step}: {_lab.ConnectionOf(Port).StateName}, expected {state}");
            Assert.True((active, inactive) == Counts(1), $"after {step}: counts {Counts(1)}, expected {(active, inactive)}");
        }
        Assert.Equal(1, _lab.Connections.Count);
        Assert.Equal(((0, 0), (0, 0)), (Counts(2), Counts(3)));   // nothing reached the other servers
    }

    [Fact]
    public void TheExchange_IsCountedInTheServiceAndServerStatistics()
    {
        int packetsIn = 0, packetsOut = 0;
        long bytesIn = 0, bytesOut = 0;
        foreach (var (_, fromClient, flags, length, _, _, _) in Exchange)
        {
            var payload = Wire.Payload(length);
            if (fromClient)
            {
                _lab.FromClient(Wire.ClientTcp(Port, flags, payload)).ToServer();
                packetsIn++;
                bytesIn += 40 + length;
            }
            else
            {
                _lab.FromServer(Wire.ServerTcp(1, Port, flags, payload)).ToClient();
                packetsOut++;
                bytesOut += 40 + length;
            }
        }

        var service = _lab.Services.Current.Find(NatLab.Http)!.Traffic.Read();
        Assert.Equal(new TrafficSnapshot(1, packetsIn, packetsOut, bytesIn, bytesOut), service);
        Assert.Equal(new TrafficSnapshot(1, packetsIn, packetsOut, bytesIn, bytesOut), _servers[0].Counters.Traffic.Read());
        Assert.Equal(new TrafficSnapshot(0, 0, 0, 0, 0), _servers[1].Counters.Traffic.Read());
    }

    [Fact]
    public void ANewSyn_OnAConnectionInTimeWait_IsScheduledAfresh()
    {
        foreach (var (_, fromClient, flags, _, _, _, _) in Exchange)
        {
            if (fromClient) _lab.FromClient(Wire.ClientTcp(Port, flags)).ToServer();
            else _lab.FromServer(Wire.ServerTcp(1, Port, flags)).ToClient();
        }
        Assert.Equal("TIME_WAIT", _lab.ConnectionOf(Port).StateName);

        // conn_reuse_mode 1: the old entry goes, rr moves on to the next server.
        var sent = _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer();

        Wire.AssertToServer(sent, server: 2, Port);
        Assert.Equal((NatLab.Rip(2), "SYN_RECV"), (_lab.ConnectionOf(Port).RealAddress, _lab.ConnectionOf(Port).StateName));
        Assert.Equal(((0, 0), (1, 0)), (Counts(1), Counts(2)));
        Assert.Equal(1, _lab.Connections.Count);
    }

    [Fact]
    public void AClientRst_ClosesTheConnection_AndTheServerCountsItInactive()
    {
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer();
        _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack)).ToClient();
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack)).ToServer();

        var sent = _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Rst | TcpFlags.Ack)).ToServer();

        Assert.True(Wire.AssertToServer(sent, server: 1, Port).Reset);
        Assert.Equal("CLOSE", _lab.ConnectionOf(Port).StateName);
        Assert.Equal((0, 1), Counts(1));
    }

    [Fact]
    public void AnOffLinkClient_IsAnsweredThroughTheGateway_OnceTheGatewayIsResolved()
    {
        var client = NatLab.RemoteClient;
        var syn = Wire.Tcp(NatLab.GatewayMac, NatLab.PublicMac, client, Port, NatLab.Vip, 80, TcpFlags.Syn);
        Wire.AssertToServer(_lab.FromClient(syn).ToServer(), server: 1, Port, client);

        // The gateway's MAC is not known (an off-link client's SYN teaches nothing): ask for it.
        var reply = Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack, client: client);
        var unresolved = _lab.FromServer(reply);
        Assert.Equal((FrameVerdict.Dropped, DropReason.NeighbourUnresolved), (unresolved.Verdict, unresolved.Reason));
        Assert.Empty(unresolved.Private);
        Wire.AssertArp(Assert.Single(unresolved.Public).Bytes, NatLab.PublicMac, MacAddress.Broadcast, PacketDotNet.ArpOperation.Request,
            NatLab.PublicMac, NatLab.PublicAddress, MacAddress.Zero, NatLab.Gateway);

        _lab.FromClient(Wire.Arp(ArpOperation.Reply, NatLab.GatewayMac, NatLab.PublicMac,
            NatLab.GatewayMac, NatLab.Gateway, NatLab.PublicMac, NatLab.PublicAddress)).AssertSilent(FrameVerdict.LeftToKernel);

        Wire.AssertToClient(_lab.FromServer(reply).ToClient(), Port, client, NatLab.GatewayMac);
    }

    [Fact]
    public void ATtlOfOne_IsNotForwarded_ATtlOfTwo_LeavesWithOne()
    {
        var outcome = _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn, ttl: 1));
        Assert.Equal((FrameVerdict.Dropped, DropReason.TtlExpired), (outcome.Verdict, outcome.Reason));
        Assert.Empty(outcome.Private);   // (the time-exceeded error it earns: NatRouterChecksTests)

        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(Port + 1, TcpFlags.Syn, ttl: 2)).ToServer(), server: 2, Port + 1, ttl: 1);
    }

    [Fact]
    public void ASynAck_ToTheVip_IsScheduled_AsIpvsDoesForActiveFtp()
    {
        // tcp_conn_schedule: "No !th->ack check to allow scheduling on SYN+ACK for Active FTP".
        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn | TcpFlags.Ack)).ToServer(), server: 1, Port);

        Assert.Equal("SYN_RECV", _lab.ConnectionOf(Port).StateName);
    }
}
