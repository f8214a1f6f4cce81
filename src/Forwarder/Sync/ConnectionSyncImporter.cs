using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Sync;

/// <summary>
/// The backup's receiving end of connection sync: decodes a batch (<see cref="ConnectionSyncBatch"/>)
/// that pulse's transport received and authenticated, and hands every record to where it belongs.
///
///   connection record  -> the import queue of worker FanoutProgram.WorkerFor(caddr, cport, workers):
///                         the worker the public side's fanout program gives that client's packets (and
///                         the private side gives the server's replies), so after a takeover the
///                         client's next segment meets its entry on the worker that holds it
///   template record    -> the shared persistence template table, at once (it is safe beside the
///                         workers), resolved in the current table snapshot
///
/// One thread calls <see cref="Import"/> (the sync receiver). A batch that does not decode is refused
/// whole and counted by reason (<see cref="Rejected"/>); records that cannot be applied are counted
/// by reason here (templates, queue overflow) and in each worker's <see cref="ConnectionSyncImport"/>.
/// </summary>
public sealed class ConnectionSyncImporter
{
    private readonly ConnectionSyncImport[] _workers;
    private readonly ServiceTable _services;
    private readonly PersistenceTemplateTable? _templates;
    private readonly ConnectionSyncRecord[] _records = new ConnectionSyncRecord[ConnectionSyncBatch.MaxRecords];
    private readonly long[] _rejected = new long[Enum.GetValues<SyncDecodeStatus>().Length];
    private long _batches;
    private long _queued;
    private long _templatesAdded;
    private long _templatesRefreshed;

    /// <param name="workers">Every worker's import queue, in worker (fanout) order.</param>
    public ConnectionSyncImporter(IReadOnlyList<ConnectionSyncImport> workers, ServiceTable services, PersistenceTemplateTable? templates)
    {
        ArgumentOutOfRangeException.ThrowIfZero(workers.Count);
        _workers = [.. workers];
        _services = services;
        _templates = templates;
    }

    /// <summary>Batches decoded and applied.</summary>
    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Connection records handed to a worker.</summary>
    public long Queued => Volatile.Read(ref _queued);

    public long TemplatesAdded => Volatile.Read(ref _templatesAdded);

    public long TemplatesRefreshed => Volatile.Read(ref _templatesRefreshed);

    /// <summary>Records skipped here: templates that could not be kept, connection records whose worker's queue was full.</summary>
    public SyncSkipCounters Skipped { get; } = new();

    /// <summary>Batches refused, by reason.</summary>
    public long Rejected(SyncDecodeStatus status) => Volatile.Read(ref _rejected[(int)status]);

    /// <summary>The worker a connection record belongs to: the fanout program's choice for its client endpoint.</summary>
    public static int WorkerFor(in ConnectionSyncRecord record, int workers) =>
        FanoutProgram.WorkerFor(record.ClientAddress.Value, record.ClientPort, workers);

    /// <summary>Decodes and dispatches one batch at forwarding-clock time <paramref name="now"/> (milliseconds).</summary>
    public SyncDecodeStatus Import(ReadOnlySpan<byte> payload, long now)
    {
        var status = ConnectionSyncBatch.TryDecode(payload, _records, out int count);
        if (status != SyncDecodeStatus.Ok)
        {
            Volatile.Write(ref _rejected[(int)status], _rejected[(int)status] + 1);
            return status;
        }
        for (int i = 0; i < count; i++)
        {
            ref readonly var record = ref _records[i];
            if (record.Kind == ConnectionSyncKind.Template)
            {
                ImportTemplate(in record, now);
            }
            else if (_workers[WorkerFor(in record, _workers.Length)].TryEnqueue(in record))
            {
                Volatile.Write(ref _queued, _queued + 1);
            }
            else
            {
                Skipped.Count(SyncSkipReason.QueueFull);
            }
        }
        Volatile.Write(ref _batches, _batches + 1);
        return SyncDecodeStatus.Ok;
    }

    private void ImportTemplate(in ConnectionSyncRecord record, long now)
    {
        if (_templates is null)
        {
            Skipped.Count(SyncSkipReason.NotPersistent);
            return;
        }
        if (!_services.Current.TryGetService(record.Service, out var service))
        {
            Skipped.Count(SyncSkipReason.UnknownService);
            return;
        }
        var server = ConnectionSyncImport.FindRealServer(service, record.RealAddress, record.RealPort);
        if (server is null)
        {
            Skipped.Count(SyncSkipReason.UnknownRealServer);
            return;
        }
        switch (_templates.Import(service, record.ClientAddress, server, now + record.TimeoutMilliseconds, now))
        {
            case TemplateImportResult.Added: Volatile.Write(ref _templatesAdded, _templatesAdded + 1); break;
            case TemplateImportResult.Refreshed: Volatile.Write(ref _templatesRefreshed, _templatesRefreshed + 1); break;
            case TemplateImportResult.Full: Skipped.Count(SyncSkipReason.TemplateTableFull); break;
            default: Skipped.Count(SyncSkipReason.NotPersistent); break;
        }
    }
}
