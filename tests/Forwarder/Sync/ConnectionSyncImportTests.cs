using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Sync;
using UserLvs.Forwarder.Tests.IO;
using UserLvs.Forwarder.Tests.Nat;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Sync;

/// <summary>
/// The backup's side of connection sync, as IPVS's backup does it (ip_vs_proc_conn): each record goes
/// to the worker whose fanout share the client is in (the cBPF program's own choice), and is applied
/// on that worker's thread at its next batch, even an idle one: the real server is found in the
/// current table by (service, address, port), unknown ones are skipped and counted; the entry counts
/// in the server's active/inactive connections by its state, expires by its timeout and is refreshed
/// by later records. Templates go to the shared template table at once.
/// </summary>
public sealed class ConnectionSyncImportTests : IDisposable
{
    private const ushort Port = 40001;
    private readonly ConnectionSyncImport _import = new(capacity: 64);
    private readonly NatLab _lab;
    private readonly ConnectionSyncImporter _importer;
    private readonly RealServer[] _servers;

    public ConnectionSyncImportTests()
    {
        _lab = new NatLab(ownership: new FloatingAddressOwnership(owned: false), import: _import);
        _servers = _lab.AddService(NatLab.Http, persistence: new Persistence(300, IPv4Address.Parse("255.255.255.0")));
        _importer = new ConnectionSyncImporter([_import], _lab.Services, _lab.Templates);
    }

    public void Dispose() => _lab.Dispose();

    private static ConnectionSyncRecord Http(TcpState state, uint timeoutMilliseconds, int server = 1, ushort port = Port,
        ushort virtualPort = NatLab.HttpPort, ushort realPort = NatLab.HttpRealPort) =>
        new(ConnectionSyncKind.Connection, Protocol.Tcp, state, NatLab.Client, port, NatLab.Vip, virtualPort,
            NatLab.Rip(server), realPort, timeoutMilliseconds);

    /// <summary>The receiver thread imports a batch; the standby worker applies it at its next (idle) batch.</summary>
    private void Import(params ConnectionSyncRecord[] records)
    {
        var payload = new byte[ConnectionSyncBatch.SizeOf(records.Length)];
        ConnectionSyncBatch.Encode(records, payload);
        Assert.Equal(SyncDecodeStatus.Ok, _importer.Import(payload, _lab.Now));
        _lab.Idle();
    }

    private (int Active, int Inactive) Counts(int server) =>
        (_servers[server - 1].ActiveConnections, _servers[server - 1].InactiveConnections);

    [Fact]
    public void EachRecord_GoesToTheWorkerTheFanoutProgramGivesThatClient_OnBothSides()
    {
        const int workers = 4;
        var imports = Enumerable.Range(0, workers).Select(_ => new ConnectionSyncImport(capacity: 256)).ToArray();
        var importer = new ConnectionSyncImporter(imports, _lab.Services, _lab.Templates);
        var onPublic = FanoutProgram.Build(ClientSide.Source, workers);
        var onPrivate = FanoutProgram.Build(ClientSide.Destination, workers);
        var rng = new Random(6);
        var seen = new HashSet<int>();
        for (int i = 0; i < 200; i++)
        {
            string client = $"198.51.{rng.Next(256)}.{rng.Next(1, 255)}";
            ushort port = (ushort)rng.Next(1024, 65536);
            var record = Http(TcpState.Established, 900_000, port: port) with { ClientAddress = IPv4Address.Parse(client) };
            int request = (int)CbpfInterpreter.Run(onPublic.Instructions, TestFrames.Tcp(client, port, "192.0.2.10", 80));
            int reply = (int)CbpfInterpreter.Run(onPrivate.Instructions, TestFrames.Tcp("10.0.0.11", 8080, client, port));
            var before = imports.Select(q => q.Pending).ToArray();

            var payload = new byte[ConnectionSyncBatch.SizeOf(1)];
            ConnectionSyncBatch.Encode([record], payload);
            Assert.Equal(SyncDecodeStatus.Ok, importer.Import(payload, _lab.Now));

            int chosen = Enumerable.Range(0, workers).Single(w => imports[w].Pending == before[w] + 1);
            Assert.Equal((request, request), (chosen, reply));
            Assert.Equal(chosen, ConnectionSyncImporter.WorkerFor(record, workers));
            seen.Add(chosen);
        }
        Assert.Equal(workers, seen.Count);
        Assert.Equal(200, importer.Queued);
    }

    [Fact]
    public void AnImportedConnection_IsHeldBoundToItsRealServer_AndCountsAsIpvsCountsIt()
    {
        Import(Http(TcpState.Established, 900_000, server: 2));

        var connection = _lab.ConnectionOf(Port);
        Assert.Equal(("ESTABLISHED", NatLab.Rip(2), NatLab.HttpRealPort, _lab.Now + 900_000),
            (connection.StateName, connection.RealAddress, connection.RealPort, connection.ExpiresAt));
        Assert.True(connection.IsSynced);
        Assert.Same(_servers[1], connection.Server);
        Assert.Equal(((0, 0), (1, 0)), (Counts(1), Counts(2)));
        Assert.Equal((1L, 0L), (_import.Added, _import.Refreshed));
        Assert.Equal(0, _servers[1].Counters.Traffic.Read().Connections);   // as IPVS's backup: no scheduling was counted
    }

    [Fact]
    public void ALaterRecord_RefreshesTheEntry_ItsStateMovesTheCounters_AndItsTimeoutReplacesTheOld()
    {
        Import(Http(TcpState.Established, 900_000));
        _lab.Now += 10_000;

        Import(Http(TcpState.TimeWait, 120_000));

        var connection = _lab.ConnectionOf(Port);
        Assert.Equal(("TIME_WAIT", _lab.Now + 120_000), (connection.StateName, connection.ExpiresAt));
        Assert.Equal((0, 1), Counts(1));
        Assert.Equal((1L, 1L), (_import.Added, _import.Refreshed));
        Assert.Equal(1, _lab.Connections.Count);
    }

    [Fact]
    public void AnImportedConnection_ExpiresByItsTimeout_AndReleasesItsServersCount()
    {
        Import(Http(TcpState.Established, 5_000));
        _lab.Now += 4_999;
        _lab.Idle();
        Assert.Equal((1, 0), Counts(1));

        // The idle worker's sweep visits the whole table once a second: within a second it is gone.
        for (int i = 0; i < 10; i++)
        {
            _lab.Now += 100;
            _lab.Idle();
        }

        Assert.Equal(0, _lab.Connections.Count);
        Assert.Equal((0, 0), Counts(1));
    }

    [Fact]
    public void ARecordNamingAnotherServer_ReplacesTheEntry()
    {
        Import(Http(TcpState.Established, 900_000, server: 1));

        Import(Http(TcpState.SynRecv, 60_000, server: 3));

        Assert.Equal(NatLab.Rip(3), _lab.ConnectionOf(Port).RealAddress);
        Assert.Equal(((0, 0), (1, 0)), (Counts(1), Counts(3)));
        Assert.Equal(1, _lab.Connections.Count);
    }

    [Fact]
    public void RecordsForUnknownServicesOrServers_AreSkipped_AndCountedByReason()
    {
        Import(
            Http(TcpState.Established, 900_000, virtualPort: 81),                       // no such service
            Http(TcpState.Established, 900_000, server: 3, realPort: 9090),             // the server is there on another port
            Http(TcpState.Established, 900_000) with { RealAddress = IPv4Address.Parse("10.0.0.99") },
            Http(TcpState.Established, 900_000, port: 1));                              // this one is fine

        Assert.Equal(1, _lab.Connections.Count);
        Assert.Equal(1, _import.Skipped[SyncSkipReason.UnknownService]);
        Assert.Equal(2, _import.Skipped[SyncSkipReason.UnknownRealServer]);
        Assert.Equal(1L, _import.Added);
    }

    [Fact]
    public void ATemplate_GoesToTheSharedTemplateTable_AtOnce_AndIsRefreshedByTheNext()
    {
        var template = new ConnectionSyncRecord(ConnectionSyncKind.Template, Protocol.Tcp, TcpState.None, IPv4Address.Parse("192.0.2.0"), 0,
            NatLab.Vip, NatLab.HttpPort, NatLab.Rip(3), NatLab.HttpRealPort, 300_000);
        var payload = new byte[ConnectionSyncBatch.SizeOf(1)];
        ConnectionSyncBatch.Encode([template], payload);

        Assert.Equal(SyncDecodeStatus.Ok, _importer.Import(payload, _lab.Now));
        Assert.Equal(SyncDecodeStatus.Ok, _importer.Import(payload, _lab.Now + 1000));

        var listed = new List<ConnectionInfo>();
        Assert.Equal(1, _lab.Templates.CopyTo(listed, _lab.Now));
        Assert.Equal((NatLab.Rip(3), IPv4Address.Parse("192.0.2.0"), 301_000L), (listed[0].RealAddress, listed[0].ClientAddress, listed[0].RemainingMilliseconds));
        Assert.Equal((1L, 1L), (_importer.TemplatesAdded, _importer.TemplatesRefreshed));
        Assert.Equal(1, _servers[2].Counters.Persistent);
        Assert.Equal(0, _import.Pending);   // nothing was queued to a worker
    }

    [Fact]
    public void ATemplateForAnotherServer_HidesTheOldOne()
    {
        var template = new ConnectionSyncRecord(ConnectionSyncKind.Template, Protocol.Tcp, TcpState.None, IPv4Address.Parse("192.0.2.0"), 0,
            NatLab.Vip, NatLab.HttpPort, NatLab.Rip(3), NatLab.HttpRealPort, 300_000);
        Import(template);
        Import(template with { RealAddress = NatLab.Rip(2) });

        Assert.Same(_servers[1], _lab.Templates.Find(_lab.Services.Current.Find(NatLab.Http)!, NatLab.Client, _lab.Now, out int held));
        _lab.Templates.Release(held, _lab.Now);
    }

    [Fact]
    public void ABatchThatDoesNotDecode_IsRefused_CountedByReason_AndChangesNothing()
    {
        var payload = new byte[ConnectionSyncBatch.SizeOf(1)];
        ConnectionSyncBatch.Encode([Http(TcpState.Established, 900_000)], payload);
        payload[0] = 9;

        Assert.Equal(SyncDecodeStatus.BadVersion, _importer.Import(payload, _lab.Now));
        _lab.Idle();

        Assert.Equal(1, _importer.Rejected(SyncDecodeStatus.BadVersion));
        Assert.Equal((0L, 0), (_importer.Batches, _lab.Connections.Count));
    }

    [Fact]
    public void AFullImportQueue_SkipsAndCountsTheRest_UntilTheWorkerDrainsIt()
    {
        var records = Enumerable.Range(0, 49).Select(i => Http(TcpState.Established, 900_000, port: (ushort)(1000 + i))).ToArray();
        var payload = new byte[ConnectionSyncBatch.MaxSize];
        int length = ConnectionSyncBatch.Encode(records, payload);

        _importer.Import(payload.AsSpan(0, length), _lab.Now);
        _importer.Import(payload.AsSpan(0, length), _lab.Now);   // 98 records for a queue of 64, before the worker ran

        Assert.Equal(34, _importer.Skipped[SyncSkipReason.QueueFull]);
        _lab.Idle();
        Assert.Equal(49, _lab.Connections.Count);
    }
}
