using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.Sync;

namespace UserLvs.Forwarder.Nat;

/// <summary>Connection sync on the active router: exporting connections as packets change them, and the whole table for a peer that just appeared.</summary>
public sealed partial class NatEngine
{
    /// <summary>
    /// Exports every live connection in slots [<paramref name="start"/>, start + <paramref name="count"/>)
    /// of the table, as IPVS's sync daemon would have sent them over their lifetime: what a peer that
    /// just appeared needs to take over. Call on the worker's thread (NatWorker.Invoke), chunk after
    /// chunk, while the sync sender drains the export ring. Returns the next slot, or -1 at the end of
    /// the table.
    ///
    /// A chunk takes whole runs of occupied slots and ends at a free slot (or before a run the export
    /// ring has no room for, so a dump never drops records). Why: between chunks packets remove
    /// connections, and a removal moves the rest of its run back. An entry never moves before its home
    /// slot, and an entry past a free slot has its home past it too, so nothing the dump has not
    /// reached can move into what it has covered; connections made meanwhile are exported as they are made.
    /// </summary>
    public int ExportAll(int start, int count, long now)
    {
        var export = SyncExport;
        if (export is null) return -1;
        int slots = _connections.SlotCount;
        int end = (int)Math.Min((long)start + count, slots);
        int index = Math.Max(0, start);
        while (index < end)
        {
            int run = 0;
            while (index + run < slots && _connections[index + run].InUse) run++;
            if (run == 0)
            {
                index++;
                continue;
            }
            // A connection and its template each; a run longer than the whole ring (never seen at a
            // load of 1/2) goes out in pieces rather than stalling the dump.
            if (!export.HasRoomFor(2 * run) && export.Pending > 0) break;
            int runEnd = index + run;
            for (; index < runEnd && export.HasRoomFor(2); index++)
            {
                ref readonly var connection = ref _connections[index];
                if (connection.ExpiresAt > now) Export(index, created: true, connection.State, now);
            }
            if (index < runEnd) break;
        }
        return index >= slots ? -1 : index;
    }

    /// <summary>
    /// Connection sync: after a packet's state update, a connection that is new, changed state or has
    /// not been exported for its refresh interval goes to the backup, with its persistence template.
    /// </summary>
    private void Export(int index, bool created, TcpState before, long now)
    {
        var export = SyncExport!;
        ref readonly var connection = ref _connections[index];
        long remaining = connection.ExpiresAt - now;
        if (!created && connection.State == before && !export.RefreshDue(connection.SyncStampField, now, remaining)) return;
        export.Append(ConnectionSyncRecord.Of(in connection, remaining));
        if (connection.HasTemplate && _snapshot.TryGetService(connection.Service, out var service) && service.Persistence.IsEnabled)
            export.Append(ConnectionSyncRecord.TemplateOf(in connection, service.Persistence));
        _connections.MarkExported(index, now);
    }
}
