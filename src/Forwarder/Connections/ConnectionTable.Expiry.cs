using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>Ending connections in bulk: the bounded sweep of expired entries, reclaiming an ended one when full, and the flushes.</summary>
public sealed partial class ConnectionTable
{
    /// <summary>
    /// Examines the next <paramref name="maxSlots"/> slots (wrapping around) and removes the connections
    /// that have expired by <paramref name="now"/>; returns how many. Call once per batch: the cost per
    /// call is bounded whatever the table's size. An expired connection's template starts its timeout
    /// at the moment the connection expired, not when the sweep found it.
    /// </summary>
    public int Sweep(long now, int maxSlots)
    {
        int slots = Math.Min(maxSlots, _entries.Length);
        int cursor = _sweepCursor;
        int removed = 0;
        for (int i = 0; i < slots;)
        {
            ref ConnectionEntry entry = ref _entries[cursor];
            if (entry.InUse && now >= entry.ExpiresAtField)
            {
                // The run behind moves up into this slot: look at it again. The cursor still moves
                // exactly maxSlots slots, so the sweep's pace through the table does not depend on
                // how much it finds; each removal is O(1) work of its own.
                Remove(cursor, entry.ExpiresAtField);
                removed++;
                continue;
            }
            cursor = (int)((uint)(cursor + 1) & _slotMask);
            i++;
        }
        _sweepCursor = cursor;
        return removed;
    }

    /// <summary>
    /// Gives up the slot of one TCP connection that has ended (TIME_WAIT or CLOSE), searching the
    /// slots the sweep has just examined (the <see cref="ReclaimBudget"/> behind its cursor; each
    /// refused add moves the sweep on, so successive searches cover new ground). True when one was removed.
    /// </summary>
    private bool ReclaimEnded(long now)
    {
        int slots = Math.Min(ReclaimBudget, _entries.Length);
        uint cursor = (uint)(_sweepCursor - slots) & _slotMask;
        for (int i = 0; i < slots; i++, cursor = (cursor + 1) & _slotMask)
        {
            ref ConnectionEntry entry = ref _entries[cursor];
            if (entry.InUse && entry.ProtocolField == Protocol.Tcp && entry.StateField is TcpState.TimeWait or TcpState.Close)
            {
                Remove((int)cursor, now);
                return true;
            }
        }
        return false;
    }

    /// <summary>Removes every connection bound to <paramref name="server"/> (matched by its counters, which survive edits).</summary>
    public int FlushServer(RealServer server, long now)
    {
        ArgumentNullException.ThrowIfNull(server);
        return RemoveWhere(static (in ConnectionEntry e, in VirtualServiceKey _, object? counters) =>
            ReferenceEquals(e.ServerField!.Counters, counters), default, server.Counters, now);
    }

    /// <summary>Removes every connection of one virtual service.</summary>
    public int FlushService(in VirtualServiceKey service, long now) =>
        RemoveWhere(static (in ConnectionEntry e, in VirtualServiceKey s, object? _) =>
            e.ProtocolField == s.Protocol && e.VirtualValue == s.Address.Value && e.VirtualPortField == s.Port, service, null, now);

    /// <summary>Removes every connection.</summary>
    public int Flush(long now) =>
        RemoveWhere(static (in ConnectionEntry _, in VirtualServiceKey _, object? _) => true, default, null, now);

    private delegate bool EntryMatch(in ConnectionEntry entry, in VirtualServiceKey service, object? state);

    // A walk in slot order that removes as it goes. A removal moves the rest of the run back into the
    // slot just emptied, so that slot is looked at again; entries only ever move into the slot being
    // looked at or behind it, so none is skipped.
    private int RemoveWhere(EntryMatch match, in VirtualServiceKey service, object? state, long now)
    {
        int removed = 0;
        for (int i = 0; i < _entries.Length;)
        {
            ref ConnectionEntry entry = ref _entries[i];
            if (entry.InUse && match(in entry, in service, state))
            {
                Remove(i, now);
                removed++;
            }
            else i++;
        }
        return removed;
    }
}
