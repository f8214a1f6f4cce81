using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Forwarder.Sync;
using UserLvs.Forwarder.Tests.Nat;
using UserLvs.Scheduling;
using UserLvs.Tests.Shared;

namespace UserLvs.Forwarder.Tests.Sync;

/// <summary>
/// Connection sync adds no allocation to the forwarding path: whole connections through an exporting
/// engine (4 records each: SYN_RECV, ESTABLISHED, CLOSE_WAIT, TIME_WAIT), with the sender's batcher
/// draining and encoding on the same thread; and on the backup, decoding, queueing and applying
/// records on the worker. Measured with GC.GetAllocatedBytesForCurrentThread after a warm-up, the
/// quietest of three rounds.
/// </summary>
public sealed class SyncAllocationTests
{
    /// <summary>Whole connections through an exporting engine, the sender draining after each one.</summary>
    private sealed class ExportingPump : IDisposable
    {
        private readonly ConnectionSyncBatcher _batcher;
        private readonly byte[] _datagram = new byte[ConnectionSyncBatch.MaxSize];
        private readonly WholeConnectionPump _pump;

        public ExportingPump()
        {
            Export = new ConnectionSyncExport(capacity: 1024);
            _batcher = new ConnectionSyncBatcher([Export]);
            _pump = new WholeConnectionPump(new NatLab(capacity: 1024, export: Export), clockStep: 7,
                afterConnection: () => { while (_batcher.TakeBatch(_datagram) > 0) { } });
        }

        public ConnectionSyncExport Export { get; }
        public long Batches => _batcher.Batches;
        public long Records => _batcher.Records;
        public ForwarderStats Stats => _pump.Stats;

        public int Run(int packets) => _pump.Run(packets);

        public void Dispose() => _pump.Dispose();
    }

    [Fact]
    public void OneHundredThousandPackets_ThroughAnExportingEngine_AllocateNothing()
    {
        using var pump = new ExportingPump();
        Assert.Equal(20_000, pump.Run(20_000));   // warm-up: every path jitted through its tiers

        int forwarded = 0;
        long allocated = SteadyStateAllocations.OfQuietestRound(() => forwarded = pump.Run(100_000));

        Assert.Equal(0, allocated);
        Assert.Equal(100_000, forwarded);
        Assert.Equal(0, pump.Export.Dropped);
        Assert.Equal(pump.Export.Exported, pump.Records);
        Assert.Equal(pump.Stats.Received / 8 * 4, pump.Export.Exported);   // 4 records per 8-packet connection
        Assert.True(pump.Batches > 0);
    }

    [Fact]
    public void DecodingQueueingAndApplyingRecords_OnTheBackup_AllocatesNothing()
    {
        var import = new ConnectionSyncImport(capacity: 1024);
        using var lab = new NatLab(capacity: 1024, ownership: new FloatingAddressOwnership(owned: false), import: import);
        lab.AddService(NatLab.Http);
        var importer = new ConnectionSyncImporter([import], lab.Services, lab.Templates);
        var batches = new byte[3][];
        var states = new[] { TcpState.SynRecv, TcpState.Established, TcpState.TimeWait };
        for (int b = 0; b < batches.Length; b++)
        {
            var records = Enumerable.Range(0, ConnectionSyncBatch.MaxRecords).Select(i => new ConnectionSyncRecord(
                ConnectionSyncKind.Connection, Protocol.Tcp, states[b], NatLab.Client, (ushort)(40000 + i), NatLab.Vip, NatLab.HttpPort,
                NatLab.Rip(1 + i % 3), NatLab.HttpRealPort, 60_000)).ToArray();
            batches[b] = new byte[ConnectionSyncBatch.SizeOf(records.Length)];
            ConnectionSyncBatch.Encode(records, batches[b]);
        }
        void Round()
        {
            for (int i = 0; i < 2_000; i++)
            {
                importer.Import(batches[i % 3], lab.Now);
                lab.Engine.BeginBatch(lab.Now);
                lab.Engine.EndBatch(lab.Now);
                lab.Now += 10;
            }
        }
        Round();   // warm-up: entries exist from here on, as on a backup in steady state

        long allocated = SteadyStateAllocations.OfQuietestRound(Round);

        Assert.Equal(0, allocated);
        Assert.Equal(ConnectionSyncBatch.MaxRecords, lab.Connections.Count);
        Assert.Equal(0, import.Skipped.Total + importer.Skipped.Total);
        Assert.True(import.Refreshed > 100_000);
    }
}
