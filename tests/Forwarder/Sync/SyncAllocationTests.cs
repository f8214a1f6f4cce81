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
    private const int ClientPorts = 48;

    private sealed class ExportingPump : IDisposable
    {
        private readonly NatLab _lab;
        private readonly RxFrame[] _received = new RxFrame[8];
        private readonly byte[][][] _client = new byte[ClientPorts][][];
        private readonly byte[][][][] _server = new byte[ClientPorts][][][];
        private readonly ConnectionSyncBatcher _batcher;
        private readonly byte[] _datagram = new byte[ConnectionSyncBatch.MaxSize];
        private long _now = 1_000_000;

        public ExportingPump()
        {
            Export = new ConnectionSyncExport(capacity: 1024);
            _lab = new NatLab(capacity: 1024, export: Export);
            _batcher = new ConnectionSyncBatcher([Export]);
            _lab.AddService(NatLab.Http);
            _lab.LearnServers();
            _lab.Public.DiscardTransmitted = true;
            _lab.Private.DiscardTransmitted = true;
            for (int p = 0; p < ClientPorts; p++)
            {
                ushort port = (ushort)(40000 + p);
                _client[p] =
                [
                    Wire.ClientTcp(port, TcpFlags.Syn),
                    Wire.ClientTcp(port, TcpFlags.Ack),
                    Wire.ClientTcp(port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(300, p)),
                    Wire.ClientTcp(port, TcpFlags.Fin | TcpFlags.Ack),
                    Wire.ClientTcp(port, TcpFlags.Ack),
                ];
                _server[p] = new byte[4][][];
                for (int s = 1; s <= 3; s++)
                    _server[p][s] =
                    [
                        Wire.ServerTcp(s, port, TcpFlags.Syn | TcpFlags.Ack),
                        Wire.ServerTcp(s, port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(1200, p + s)),
                        Wire.ServerTcp(s, port, TcpFlags.Fin | TcpFlags.Ack),
                    ];
            }
        }

        public ConnectionSyncExport Export { get; }
        public long Batches => _batcher.Batches;
        public long Records => _batcher.Records;
        public ForwarderStats Stats => _lab.Engine.Stats;

        /// <summary>Whole connections, 8 packets each, until <paramref name="packets"/> went through; the sender drains after each.</summary>
        public int Run(int packets)
        {
            int forwarded = 0;
            for (int sent = 0, c = 0; sent < packets; c++, sent += 8)
            {
                int p = c % ClientPorts;
                var client = _client[p];
                forwarded += Once(_lab.Public, client[0], true);
                int index = _lab.Connections.LookupInbound(Protocol.Tcp, NatLab.Client, (ushort)(40000 + p), NatLab.Vip, 80, 0, _now);
                var server = _server[p][NatLab.ServerNumber(_lab.Connections[index].RealAddress)];
                forwarded += Once(_lab.Private, server[0], false);
                forwarded += Once(_lab.Public, client[1], true);
                forwarded += Once(_lab.Public, client[2], true);
                forwarded += Once(_lab.Private, server[1], false);
                forwarded += Once(_lab.Public, client[3], true);
                forwarded += Once(_lab.Private, server[2], false);
                forwarded += Once(_lab.Public, client[4], true);
                while (_batcher.TakeBatch(_datagram) > 0) { }
                _now += 7;
            }
            return forwarded;
        }

        private int Once(MemoryFrameIo port, byte[] frame, bool fromPublic)
        {
            port.EnqueueReceive(frame);
            var engine = _lab.Engine;
            engine.BeginBatch(_now);
            int n = port.Receive(_received);
            int forwarded = 0;
            for (int i = 0; i < n; i++)
            {
                var verdict = fromPublic ? engine.FromPublic(in _received[i], _now) : engine.FromPrivate(in _received[i], _now);
                if (verdict == FrameVerdict.Forwarded) forwarded++;
            }
            engine.EndBatch(_now);
            port.ReleaseReceived();
            return forwarded;
        }

        public void Dispose() => _lab.Dispose();
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
