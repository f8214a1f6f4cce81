using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>Connection sync on the backup router: entries made and refreshed from the active router's records, and the marks the export keeps.</summary>
public sealed partial class ConnectionTable
{
    /// <summary>
    /// A connection the active router reported (IPVS's ip_vs_proc_conn on the backup): a new entry
    /// bound to <paramref name="server"/>, or the existing one refreshed, in <paramref name="state"/>
    /// until <paramref name="expiresAt"/>. Like IPVS's backup it counts in the server's active or
    /// inactive connections by its state, and expires by its timeout unless a later record (or, after
    /// a takeover, a packet) refreshes it. An entry for the same client that points at another real
    /// server (the client reused its port after the active router rescheduled it) is replaced.
    /// Synced entries hold no persistence template: templates are synced on their own.
    /// </summary>
    public SyncApplyResult ApplySynced(in VirtualServiceKey service, IPv4Address client, ushort clientPort,
        RealServer server, TcpState state, long expiresAt, long now)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (service.Protocol != Protocol.Tcp) state = TcpState.None;
        ushort realPort = server.Port != 0 ? server.Port : service.Port;
        int index = LookupInbound(service.Protocol, client, clientPort, service.Address, service.Port, 0, now);
        var result = SyncApplyResult.Refreshed;
        if (index != NotFound && (_entries[index].RealValue != server.Address.Value || _entries[index].RealPortField != realPort))
        {
            Remove(index, now);
            index = NotFound;
        }
        if (index == NotFound)
        {
            if (TryAdd(service, client, clientPort, server, now, out index) == ConnectionAddResult.Full) return SyncApplyResult.Full;
            _entries[index].FlagsField |= ConnectionFlags.Synced;
            result = SyncApplyResult.Added;
        }
        ref ConnectionEntry entry = ref _entries[index];
        if (state != entry.StateField) SetState(ref entry, state);
        entry.ExpiresAtField = expiresAt;
        return result;
    }

    /// <summary>Notes that the connection was exported at <paramref name="now"/> (milliseconds).</summary>
    internal void MarkExported(int index, long now) => _entries[index].SyncStampField = (ushort)(now / 1000);

    /// <summary>The first packet of a synced connection was handled here: it is an ordinary connection from now on.</summary>
    internal void ClearSynced(int index) => _entries[index].FlagsField &= ~ConnectionFlags.Synced;
}
