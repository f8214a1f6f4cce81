using System.Diagnostics;
using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Sync;
using UserLvs.Forwarder.Tests.IO;
using UserLvs.Forwarder.Tests.Nat;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Sync;

/// <summary>
/// A standby worker that no frame wakes still takes in the active router's table quickly: with records
/// waiting it sleeps 1 ms between batches instead of its usual 100 ms, so 4,096 records (8 batches of
/// ApplyBudget) are in within a fraction of a second, not 8 x 100 ms (and a table sent at full speed
/// does not overflow the inbox). Real AF_PACKET ports on a veth, so the worker really sleeps in poll(2).
/// </summary>
public class IdleWorkerImportTests
{
    [LabFact]
    public void AnIdleStandbyWorker_DrainsItsSyncInbox_WithoutWaitingForFrames()
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "pub0", ns, "pub1");
        lab.AddVeth(ns, "priv0", ns, "priv1");
        using var publicPort = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("pub1")));
        using var privatePort = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("priv1")));
        var services = new ServiceTable();
        Assert.Equal(TableResult.Ok, services.AddService(new VirtualServiceConfig(NatLab.Http)));
        Assert.Equal(TableResult.Ok, services.AddRealServer(NatLab.Http, new RealServer(NatLab.Rip(1), NatLab.HttpRealPort)));
        var templates = new PersistenceTemplateTable(64);
        var import = new ConnectionSyncImport(capacity: 8192);
        var connections = new ConnectionTable(8192, new IpvsTimeouts(), templates);
        var engine = new NatEngine(services, connections, templates, new NeighbourTable(), NatLab.Router, publicPort, privatePort)
        {
            Ownership = new FloatingAddressOwnership(owned: false),
            SyncImport = import,
        };
        using var worker = new NatWorker(engine, publicPort, privatePort, "sync-idle-test");
        worker.Start();
        Thread.Sleep(250);   // idle: asleep in poll(2)

        const int Records = 4096;
        var records = Enumerable.Range(0, Records).Select(i => new ConnectionSyncRecord(ConnectionSyncKind.Connection, Protocol.Tcp,
            TcpState.Established, new IPv4Address(0xC6336400u + (uint)(i >> 12)), (ushort)(1024 + (i & 0xFFF)), NatLab.Vip, NatLab.HttpPort,
            NatLab.Rip(1), NatLab.HttpRealPort, 900_000)).ToArray();
        var importer = new ConnectionSyncImporter([import], services, templates);
        var clock = Stopwatch.StartNew();
        foreach (var chunk in records.Chunk(ConnectionSyncBatch.MaxRecords))   // as the datagrams arrive
        {
            var payload = new byte[ConnectionSyncBatch.SizeOf(chunk.Length)];
            ConnectionSyncBatch.Encode(chunk, payload);
            Assert.Equal(SyncDecodeStatus.Ok, importer.Import(payload, NatWorker.NowMilliseconds));
        }

        while (import.Pending > 0 && clock.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(1);
        var drained = clock.Elapsed;

        Assert.True(worker.Stop(TimeSpan.FromSeconds(2)));
        Assert.Null(worker.Failure);
        Assert.Equal(Records, import.Added);
        Assert.True(drained < TimeSpan.FromMilliseconds(400), $"the inbox took {drained.TotalMilliseconds:F0} ms to drain");
    }
}
