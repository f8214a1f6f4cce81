using UserLvs.Forwarder.Connections;

namespace UserLvs.Forwarder.Sync;

/// <summary>
/// One worker's outbox of connection sync records (IPVS's master sync buffer), filled on the
/// forwarding path of the active router and drained by the sync sender thread
/// (<see cref="ConnectionSyncBatcher"/>).
///
/// When a connection is exported (the engine decides per packet, after the state update):
///   - when it is created (first packet scheduled),
///   - whenever its TCP state changes (SYN_RECV -> ESTABLISHED -> CLOSE_WAIT -> TIME_WAIT ...),
///   - otherwise on a packet that finds its last export older than the refresh interval:
///     min(<see cref="RefreshSeconds"/>, half the timeout of its state). IPVS resends established
///     connections every sync_refresh_period (or every sync_period packets); the half-timeout bound
///     makes sure a connection that keeps getting packets never expires on the backup first.
/// A connection of a persistent service carries its persistence template along in every export, so
/// the template is synced when it is created and stays alive on the backup while its connections do.
///
/// Per record: one struct copy into a single-producer ring, no lock, no allocation. A full ring (the
/// sender fell behind) drops the record and counts it in <see cref="Dropped"/>; a later state change
/// or refresh sends the connection again.
/// </summary>
public sealed class ConnectionSyncExport
{
    private readonly SyncRecordRing _ring;
    private readonly long _refreshMilliseconds;
    private long _exported;
    private long _dropped;

    /// <param name="capacity">Records the ring holds between two drains; a power of two.</param>
    /// <param name="refreshSeconds">The longest time a live connection goes without being exported again.</param>
    public ConnectionSyncExport(int capacity = 8192, int refreshSeconds = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(refreshSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(refreshSeconds, ushort.MaxValue / 2);
        _ring = new SyncRecordRing(capacity);
        RefreshSeconds = refreshSeconds;
        _refreshMilliseconds = refreshSeconds * 1000L;
    }

    public int RefreshSeconds { get; }

    /// <summary>Records put into the ring.</summary>
    public long Exported => Volatile.Read(ref _exported);

    /// <summary>Records dropped because the ring was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Records waiting for the sender.</summary>
    public int Pending => _ring.Count;

    /// <summary>Room for <paramref name="records"/> more records before the ring is full.</summary>
    public bool HasRoomFor(int records) => _ring.Capacity - _ring.Count >= records;

    /// <summary>The sender's side: moves waiting records out, oldest first. One sender thread only.</summary>
    public int Drain(Span<ConnectionSyncRecord> destination) => _ring.Read(destination);

    internal void Append(in ConnectionSyncRecord record)
    {
        if (_ring.TryWrite(in record)) Volatile.Write(ref _exported, _exported + 1);
        else Volatile.Write(ref _dropped, _dropped + 1);
    }

    /// <summary>Whether a connection last exported at <paramref name="stamp"/> (seconds mod 2^16) is due again.</summary>
    internal bool RefreshDue(ushort stamp, long now, long remaining)
    {
        long elapsed = (ushort)((ushort)(now / 1000) - stamp) * 1000L;
        return elapsed >= Math.Min(_refreshMilliseconds, remaining / 2);
    }
}
