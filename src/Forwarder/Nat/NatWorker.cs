using UserLvs.Forwarder.IO;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// One forwarding thread: waits on its public and private ports, takes a batch from each, runs every
/// frame through its <see cref="NatEngine"/>, flushes both transmit queues and sweeps a few expired
/// connections, then waits again. The clock is read once per batch (milliseconds since start).
/// Workers share nothing on the packet path: the ports' fanout steers each client's frames, both
/// directions, to one worker.
/// </summary>
public sealed class NatWorker : IDisposable
{
    private const int BatchSize = 64;
    private const int StatisticsIntervalMilliseconds = 1000;

    // How long a worker that just forwarded frames watches its rings before it sleeps in poll(2): about
    // one request/response turn through a real server on the same host.
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private const long SpinMicroseconds = 100;
    private readonly NatEngine _engine;
    private readonly IFrameIo[] _publics;
    private readonly IFrameIo _private;
    private readonly IFrameIo[] _all;
    private readonly Thread _thread;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action<NatEngine>> _control = new();
    private readonly ManualResetEventSlim _stopped = new(false);
    private volatile bool _stop;
    private long _ringDropsCounted;
    private Exception? _failure;

    public NatWorker(NatEngine engine, IFrameIo publicPort, IFrameIo privatePort, string name)
        : this(engine, [publicPort], privatePort, name)
    {
    }

    /// <param name="publicPorts">One port per public link, in the engine's link order.</param>
    public NatWorker(NatEngine engine, IReadOnlyList<IFrameIo> publicPorts, IFrameIo privatePort, string name)
    {
        _engine = engine;
        _publics = [.. publicPorts];
        _private = privatePort;
        _all = [.. publicPorts, privatePort];
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public NatEngine Engine => _engine;

    /// <summary>Set when the loop died: a port whose device went down or away (an IOException naming
    /// the interface: the port would otherwise report POLLERR forever and the loop spin), or an
    /// unexpected exception (a bug). The daemon logs it and stops.</summary>
    public Exception? Failure => _failure;

    public void Start() => _thread.Start();

    /// <summary>Asks the loop to stop and waits (bounded) for it: it notices within one poll timeout.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _stop = true;
        return _stopped.Wait(timeout);
    }

    /// <summary>
    /// The forwarding clock, in milliseconds: one monotonic clock for every worker, because persistence
    /// templates are shared between them and their expiry times must mean the same to all.
    /// </summary>
    public static long NowMilliseconds => Environment.TickCount64;

    /// <summary>
    /// Runs <paramref name="action"/> on the worker's thread between two batches (its connection table
    /// belongs to that thread: listing and flushing happen there) and waits for it, bounded.
    /// </summary>
    public T Invoke<T>(Func<NatEngine, T> action, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _control.Enqueue(engine =>
        {
            try { done.SetResult(action(engine)); }
            catch (Exception e) { done.SetException(e); }
        });
        if (!_thread.IsAlive) RunControl(); // not started or already stopped: nothing else touches the table
        return done.Task.Wait(timeout) ? done.Task.Result : throw new TimeoutException($"{_thread.Name} did not answer");
    }

    private void RunControl()
    {
        while (_control.TryDequeue(out var action)) action(_engine);
    }

    private void Run()
    {
        Span<RxFrame> frames = new RxFrame[BatchSize];
        long nextStatistics = NowMilliseconds + StatisticsIntervalMilliseconds;
        bool busy = false;
        try
        {
            while (!_stop)
            {
                RunControl();
                if (NowMilliseconds >= nextStatistics)
                {
                    CountRingDrops();
                    nextStatistics = NowMilliseconds + StatisticsIntervalMilliseconds;
                }
                if (!(busy && PortWaiter.SpinUntilReady(_all, SpinTicks)) && !PortWaiter.WaitForAny(_all, IdleWaitMilliseconds()))
                {
                    long idle = NowMilliseconds; // idle: still expire connections
                    _engine.BeginBatch(idle);
                    _engine.EndBatch(idle);
                    busy = false;
                    continue;
                }
                long now = NowMilliseconds;
                _engine.BeginBatch(now);
                int received = 0;
                for (int link = 0; link < _publics.Length; link++)
                {
                    int n = _publics[link].Receive(frames);
                    received += n;
                    if (n >= NatEngine.MinimumBatch) _engine.PrefetchFromPublic(frames[..n]);
                    for (int i = 0; i < n; i++) _engine.FromPublic(in frames[i], link, now);
                }
                int m = _private.Receive(frames);
                if (m >= NatEngine.MinimumBatch) _engine.PrefetchFromPrivate(frames[..m]);
                for (int i = 0; i < m; i++) _engine.FromPrivate(in frames[i], now);
                received += m;
                busy = received > 0;
                _engine.EndBatch(now);
                foreach (var port in _all) port.ReleaseReceived();
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            try { CountRingDrops(); } // the last drops, before the ports close
            catch (ObjectDisposedException) { } // a Stop that timed out and closed the ports under us
            _stopped.Set();
        }
    }

    /// <summary>
    /// Frames the kernel dropped because a port's ring was full never reach the engine; they are folded
    /// into its accounting as received and dropped (<see cref="DropReason.RingOverflow"/>), so every
    /// frame that arrived for this worker has an outcome. The ports accumulate the kernel's counters,
    /// which reset on read; this thread is the only writer of the engine's stats.
    /// </summary>
    private void CountRingDrops()
    {
        long total = 0;
        foreach (var port in _all)
        {
            port.ReadKernelStatistics();
            total += port.Counters.RxDropped;
        }
        if (total > _ringDropsCounted)
        {
            _engine.Stats.CountLostBeforeReceive(DropReason.RingOverflow, total - _ringDropsCounted);
            _ringDropsCounted = total;
        }
    }

    /// <summary>
    /// How long an idle worker sleeps before it begins an empty batch: 100 ms, or 1 ms while connection
    /// records from the active router wait in its inbox. Why: records are applied between batches only
    /// (<see cref="Sync.ConnectionSyncImport.ApplyBudget"/> at a time), and a standby's worker that no
    /// frame wakes would otherwise take in 5,000 a second while the active router sends it its whole
    /// table far faster, and the rest would overflow the inbox.
    /// </summary>
    private int IdleWaitMilliseconds() => _engine.SyncImport is { Pending: > 0 } ? 1 : 100;

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(2));
        _stopped.Dispose();
    }
}
