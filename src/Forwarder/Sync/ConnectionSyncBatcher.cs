namespace UserLvs.Forwarder.Sync;

/// <summary>
/// The active router's sending end of connection sync: drains every worker's
/// <see cref="ConnectionSyncExport"/> and encodes the records into batches for pulse's transport
/// (one SyncBatch datagram each). Workers are drained in turn, starting one further each call, so a
/// busy worker cannot starve the others' records. One sender thread only; allocates nothing.
///
///   var batcher = new ConnectionSyncBatcher(exports);
///   Span&lt;byte&gt; datagram = stackalloc byte[ConnectionSyncBatch.MaxSize];
///   for (int n; (n = batcher.TakeBatch(datagram)) > 0; ) transport.SendSyncBatch(datagram[..n]);
/// </summary>
public sealed class ConnectionSyncBatcher
{
    private readonly ConnectionSyncExport[] _exports;
    private readonly ConnectionSyncRecord[] _records = new ConnectionSyncRecord[ConnectionSyncBatch.MaxRecords];
    private int _next;
    private long _batches;
    private long _recordsSent;

    public ConnectionSyncBatcher(IReadOnlyList<ConnectionSyncExport> exports)
    {
        ArgumentOutOfRangeException.ThrowIfZero(exports.Count);
        _exports = [.. exports];
    }

    /// <summary>Batches encoded.</summary>
    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Records encoded into batches.</summary>
    public long Records => Volatile.Read(ref _recordsSent);

    /// <summary>Records waiting in every worker's ring.</summary>
    public int Pending
    {
        get
        {
            int sum = 0;
            foreach (var export in _exports) sum += export.Pending;
            return sum;
        }
    }

    /// <summary>
    /// Encodes up to <see cref="ConnectionSyncBatch.MaxRecords"/> waiting records into
    /// <paramref name="destination"/> (at least <see cref="ConnectionSyncBatch.MaxSize"/> bytes);
    /// returns the batch's length, or 0 when nothing is waiting.
    /// </summary>
    public int TakeBatch(Span<byte> destination)
    {
        if (destination.Length < ConnectionSyncBatch.MaxSize)
            throw new ArgumentException($"a batch may need {ConnectionSyncBatch.MaxSize} bytes", nameof(destination));
        int count = 0;
        for (int k = 0; k < _exports.Length && count < _records.Length; k++)
            count += _exports[(_next + k) % _exports.Length].Drain(_records.AsSpan(count));
        _next = (_next + 1) % _exports.Length;
        if (count == 0) return 0;
        Volatile.Write(ref _batches, _batches + 1);
        Volatile.Write(ref _recordsSent, _recordsSent + count);
        return ConnectionSyncBatch.Encode(_records.AsSpan(0, count), destination);
    }
}
