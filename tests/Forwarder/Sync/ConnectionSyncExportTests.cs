using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Forwarder.Sync;
using UserLvs.Forwarder.Tests.Nat;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Sync;

/// <summary>
/// What the active router exports, packet by packet: a record when a connection is created and on
/// every TCP state change (with the state and the timeout it now has), nothing for packets that change
/// nothing, again for a live connection after min(refresh, half its state's timeout), a persistent
/// connection's template with each of its records; a full ring drops and counts. The batcher drains
/// every worker's ring into batches.
/// </summary>
public sealed class ConnectionSyncExportTests : IDisposable
{
    private const ushort Port = 40001;
    private readonly ConnectionSyncExport _export = new(capacity: 16, refreshSeconds: 30);
    private readonly NatLab _lab;
    private readonly ConnectionSyncRecord[] _drained = new ConnectionSyncRecord[64];

    public ConnectionSyncExportTests()
    {
        _lab = new NatLab(export: _export);
        _lab.LearnServers();
    }

    public void Dispose() => _lab.Dispose();

    private ConnectionSyncRecord[] Drain() => _drained[.._export.Drain(_drained)];

    private static ConnectionSyncRecord Http(TcpState state, uint timeoutSeconds, int server = 1, ushort port = Port) =>
        new(ConnectionSyncKind.Connection, Protocol.Tcp, state, NatLab.Client, port, NatLab.Vip, NatLab.HttpPort,
            NatLab.Rip(server), NatLab.HttpRealPort, timeoutSeconds * 1000);

    [Fact]
    public void ATcpConnection_IsExportedWhenCreated_AndOnEachStateChange_Only()
    {
        _lab.AddService(NatLab.Http);
        var steps = new (string Step, Func<Outcome> Packet, ConnectionSyncRecord[] Exported)[]
        {
            ("client SYN", () => _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)), [Http(TcpState.SynRecv, 60)]),
            ("server SYN-ACK", () => _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack)), []),
            ("client ACK", () => _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack)), [Http(TcpState.Established, 900)]),
            ("client data", () => _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(100))), []),
            ("server data", () => _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(900))), []),
            ("client FIN", () => _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Fin | TcpFlags.Ack)), [Http(TcpState.CloseWait, 60)]),
            ("server FIN", () => _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Fin | TcpFlags.Ack)), [Http(TcpState.TimeWait, 120)]),
            ("client last ACK", () => _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack)), []),
        };

        foreach (var (step, packet, exported) in steps)
        {
            Assert.Equal(FrameVerdict.Forwarded, packet().Verdict);
            Assert.True(exported.SequenceEqual(Drain()), step);
            _lab.Now += 10;
        }
        Assert.Equal((4L, 0L), (_export.Exported, _export.Dropped));
    }

    [Fact]
    public void AnEstablishedConnection_IsExportedAgain_OnItsFirstPacketAfterTheRefreshPeriod()
    {
        _lab.AddService(NatLab.Http);
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn));
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack));
        Drain();

        _lab.Now += 29_000;
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack));
        Assert.Empty(Drain());
        _lab.Now += 1_000;   // 30 s since the last export
        _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Ack));
        Assert.Equal([Http(TcpState.Established, 900)], Drain());
        _lab.Now += 29_000;   // the refresh counts from the last export, not from the connection's start
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack));
        Assert.Empty(Drain());
    }

    [Fact]
    public void AShortStateTimeout_RefreshesAtHalfOfIt()
    {
        _lab.AddService(NatLab.Http);
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn));
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack));
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Fin | TcpFlags.Ack));   // CLOSE_WAIT: 60 s
        _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Fin | TcpFlags.Ack)); // TIME_WAIT: 120 s
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Rst));                  // CLOSE: 10 s
        Assert.Equal(TcpState.Close, Drain()[^1].State);

        _lab.Now += 4_000;
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Rst));
        Assert.Empty(Drain());
        _lab.Now += 1_000;
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Rst));
        Assert.Equal([Http(TcpState.Close, 10)], Drain());
    }

    [Fact]
    public void AUdpConnection_IsExportedWhenCreated_ThenOnlyWhenItIsDue()
    {
        _lab.AddService(NatLab.Dns, realPort: NatLab.DnsRealPort);
        var query = Wire.Udp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, Port, NatLab.Vip, NatLab.DnsPort, Wire.Payload(40));

        _lab.FromClient(query);
        _lab.FromClient(query);

        var record = new ConnectionSyncRecord(ConnectionSyncKind.Connection, Protocol.Udp, TcpState.None, NatLab.Client, Port,
            NatLab.Vip, NatLab.DnsPort, NatLab.Rip(1), NatLab.DnsRealPort, 300_000);
        Assert.Equal([record], Drain());
        _lab.Now += 30_000;
        _lab.FromClient(query);
        Assert.Equal([record], Drain());
    }

    [Fact]
    public void APersistentConnection_CarriesItsTemplate_WithTheClientNetworkAndThePersistenceTimeout()
    {
        _lab.AddService(NatLab.Http, persistence: new Persistence(300, IPv4Address.Parse("255.255.255.0")));

        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn));
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack));

        var template = new ConnectionSyncRecord(ConnectionSyncKind.Template, Protocol.Tcp, TcpState.None, IPv4Address.Parse("192.0.2.0"), 0,
            NatLab.Vip, NatLab.HttpPort, NatLab.Rip(1), NatLab.HttpRealPort, 300_000);
        Assert.Equal([Http(TcpState.SynRecv, 60), template, Http(TcpState.Established, 900), template], Drain());
    }

    [Fact]
    public void AFullRing_DropsRecords_AndCountsThem_WhileForwardingGoesOn()
    {
        _lab.AddService(NatLab.Http);
        for (int i = 0; i < 20; i++)
            Assert.Equal(FrameVerdict.Forwarded, _lab.FromClient(Wire.ClientTcp((ushort)(Port + i), TcpFlags.Syn)).Verdict);

        Assert.Equal((16L, 4L), (_export.Exported, _export.Dropped));
        Assert.Equal(16, Drain().Length);
    }

    [Fact]
    public void TheBatcher_TakesEveryWorkersRecords_InBatchesOfAtMost49_ThenNothing()
    {
        var exports = new[] { new ConnectionSyncExport(128), new ConnectionSyncExport(128) };
        for (int i = 0; i < 60; i++) exports[0].Append(Http(TcpState.Established, 900, port: (ushort)i));
        for (int i = 0; i < 10; i++) exports[1].Append(Http(TcpState.Established, 900, port: (ushort)(1000 + i)));
        var batcher = new ConnectionSyncBatcher(exports);
        var datagram = new byte[ConnectionSyncBatch.MaxSize];
        var decoded = new ConnectionSyncRecord[ConnectionSyncBatch.MaxRecords];
        var ports = new List<int>();

        int batches = 0;
        for (int n; (n = batcher.TakeBatch(datagram)) > 0 && batches < 10; batches++)
        {
            Assert.Equal(SyncDecodeStatus.Ok, ConnectionSyncBatch.TryDecode(datagram.AsSpan(0, n), decoded, out int count));
            Assert.Equal(ConnectionSyncBatch.SizeOf(count), n);
            ports.AddRange(decoded.Take(count).Select(r => (int)r.ClientPort));
        }

        Assert.Equal(2, batches);
        Assert.Equal(Enumerable.Range(0, 60).Concat(Enumerable.Range(1000, 10)).Order(), ports.Order());
        Assert.Equal((2L, 70L, 0), (batcher.Batches, batcher.Records, batcher.Pending));
    }
}
