using System.Numerics;

namespace UserLvs.Forwarder.Sync;

/// <summary>
/// A bounded single-producer, single-consumer queue of sync records: a power-of-two array and two
/// counters. The producer writes the slot, then publishes the new tail with a release store; the
/// consumer reads up to the tail it acquired, then publishes the new head. No lock, no allocation,
/// no CAS; a full ring refuses the record (the caller counts it) instead of waiting, because the
/// producer may be a forwarding worker that must never block.
/// Exactly one thread may write and one thread may read at a time.
/// </summary>
public sealed class SyncRecordRing
{
    private readonly ConnectionSyncRecord[] _records;
    private readonly int _mask;
    private long _head;   // next slot to read; written by the consumer
    private long _tail;   // next slot to write; written by the producer

    /// <param name="capacity">Records held at most; a power of two.</param>
    public SyncRecordRing(int capacity)
    {
        if (capacity < 1 || !BitOperations.IsPow2(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two");
        _records = new ConnectionSyncRecord[capacity];
        _mask = capacity - 1;
    }

    public int Capacity => _records.Length;

    /// <summary>Records waiting (a snapshot; either side may move it at once).</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Producer: appends a record, or returns false when the ring is full.</summary>
    public bool TryWrite(in ConnectionSyncRecord record)
    {
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _records.Length) return false;
        _records[tail & _mask] = record;
        Volatile.Write(ref _tail, tail + 1);
        return true;
    }

    /// <summary>Consumer: moves up to <paramref name="destination"/>.Length records out, oldest first; returns how many.</summary>
    public int Read(Span<ConnectionSyncRecord> destination)
    {
        long head = _head;
        int n = (int)Math.Min(Volatile.Read(ref _tail) - head, destination.Length);
        for (int i = 0; i < n; i++) destination[i] = _records[(head + i) & _mask];
        Volatile.Write(ref _head, head + n);
        return n;
    }

    /// <summary>Consumer: takes the oldest record, if any.</summary>
    public bool TryRead(out ConnectionSyncRecord record)
    {
        long head = _head;
        if (Volatile.Read(ref _tail) == head)
        {
            record = default;
            return false;
        }
        record = _records[head & _mask];
        Volatile.Write(ref _head, head + 1);
        return true;
    }
}
