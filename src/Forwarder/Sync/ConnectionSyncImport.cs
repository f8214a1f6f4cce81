using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Sync;

/// <summary>
/// One worker's inbox of connection records from the active router (IPVS's backup side,
/// ip_vs_proc_conn). The importer (<see cref="ConnectionSyncImporter"/>) queues each record to the
/// worker whose fanout share holds that client; the worker applies them between two batches
/// (<see cref="Nat.NatEngine.BeginBatch"/>), because only its own thread may touch its connection
/// table. An idle worker still begins a batch every poll timeout, so a standby router's workers keep
/// applying records while no traffic reaches them.
///
/// Applying a record: the virtual service is looked up in the worker's current table snapshot, the
/// real server in that service by address and port (unknown ones are skipped and counted, as IPVS's
/// backup leaves such a connection unbound), then <see cref="ConnectionTable.ApplySynced"/> adds or
/// refreshes the entry: it counts in the server's active/inactive connections by its state and
/// expires after the record's timeout.
/// </summary>
public sealed class ConnectionSyncImport
{
    /// <summary>Records applied per batch at most, so a burst of sync traffic cannot stall forwarding.</summary>
    public const int ApplyBudget = 512;

    private readonly SyncRecordRing _queue;
    private long _added;
    private long _refreshed;

    /// <param name="capacity">Records queued between two batches at most; a power of two.</param>
    public ConnectionSyncImport(int capacity = 8192) => _queue = new SyncRecordRing(capacity);

    /// <summary>Connections created from records.</summary>
    public long Added => Volatile.Read(ref _added);

    /// <summary>Records that brought an existing connection up to date.</summary>
    public long Refreshed => Volatile.Read(ref _refreshed);

    /// <summary>Records not applied, per reason (the queue's overflow is counted by the importer).</summary>
    public SyncSkipCounters Skipped { get; } = new();

    /// <summary>Records waiting for the worker.</summary>
    public int Pending => _queue.Count;

    /// <summary>The importer's side: queues a record; false when the queue is full. One importer thread only.</summary>
    internal bool TryEnqueue(in ConnectionSyncRecord record) => _queue.TryWrite(in record);

    /// <summary>The worker's side: applies up to <see cref="ApplyBudget"/> queued records to its table.</summary>
    internal void Apply(ConnectionTable table, ServiceTableSnapshot snapshot, long now)
    {
        for (int n = 0; n < ApplyBudget && _queue.TryRead(out var record); n++)
        {
            if (!snapshot.TryGetService(record.Service, out var service))
            {
                Skipped.Count(SyncSkipReason.UnknownService);
                continue;
            }
            var server = FindRealServer(service, record.RealAddress, record.RealPort);
            if (server is null)
            {
                Skipped.Count(SyncSkipReason.UnknownRealServer);
                continue;
            }
            switch (table.ApplySynced(service.Key, record.ClientAddress, record.ClientPort, server, record.State,
                        now + record.TimeoutMilliseconds, now))
            {
                case SyncApplyResult.Added: Volatile.Write(ref _added, _added + 1); break;
                case SyncApplyResult.Refreshed: Volatile.Write(ref _refreshed, _refreshed + 1); break;
                default: Skipped.Count(SyncSkipReason.ConnectionTableFull); break;
            }
        }
    }

    /// <summary>The service's real server that a connection to <paramref name="address"/>:<paramref name="port"/> is bound to (port 0 = the virtual port).</summary>
    internal static RealServer? FindRealServer(VirtualService service, IPv4Address address, ushort port)
    {
        var servers = service.RealServers;
        for (int i = 0; i < servers.Count; i++)
        {
            var server = servers[i];
            if (server.Address == address && (server.Port != 0 ? server.Port : service.Key.Port) == port) return server;
        }
        return null;
    }
}
