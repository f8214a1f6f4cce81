namespace UserLvs.Forwarder.Sync;

/// <summary>Why a well-formed sync record was not applied on the backup (each counted).</summary>
public enum SyncSkipReason
{
    /// <summary>No virtual service (protocol, VIP, vport) in this router's current table.</summary>
    UnknownService,

    /// <summary>The service here has no real server at that address and port.</summary>
    UnknownRealServer,

    /// <summary>The worker's connection table is full (established connections are never evicted).</summary>
    ConnectionTableFull,

    /// <summary>The persistence template table had no free slot in the key's window.</summary>
    TemplateTableFull,

    /// <summary>A template for a service that is not persistent here (or a router without a template table).</summary>
    NotPersistent,

    /// <summary>The worker's import queue was full (the worker has not drained it yet).</summary>
    QueueFull,
}

/// <summary>Per-reason counters of skipped records; one writer thread, any reader.</summary>
public sealed class SyncSkipCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<SyncSkipReason>().Length];

    public long this[SyncSkipReason reason] => Volatile.Read(ref _counts[(int)reason]);

    public long Total
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _counts.Length; i++) sum += Volatile.Read(ref _counts[i]);
            return sum;
        }
    }

    internal void Count(SyncSkipReason reason) => Volatile.Write(ref _counts[(int)reason], _counts[(int)reason] + 1);
}
