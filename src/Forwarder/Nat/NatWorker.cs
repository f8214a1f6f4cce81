using System.Diagnostics;
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
    private readonly NatEngine _engine;
    private readonly IFrameIo _public;
    private readonly IFrameIo _private;
    private readonly Thread _thread;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly ManualResetEventSlim _stopped = new(false);
    private volatile bool _stop;
    private Exception? _failure;

    public NatWorker(NatEngine engine, IFrameIo publicPort, IFrameIo privatePort, string name)
    {
        _engine = engine;
        _public = publicPort;
        _private = privatePort;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public NatEngine Engine => _engine;

    /// <summary>Set when the loop died of an unexpected exception (a bug): the daemon logs it and stops.</summary>
    public Exception? Failure => _failure;

    public void Start() => _thread.Start();

    /// <summary>Asks the loop to stop and waits (bounded) for it: it notices within one poll timeout.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _stop = true;
        return _stopped.Wait(timeout);
    }

    /// <summary>The worker's clock: milliseconds since it was made, the unit of connection expiry.</summary>
    public long NowMilliseconds => (long)Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    private void Run()
    {
        Span<RxFrame> frames = new RxFrame[BatchSize];
        try
        {
            while (!_stop)
            {
                if (!PortWaiter.WaitForEither(_public, _private, 100))
                {
                    _engine.EndBatch(NowMilliseconds); // idle: still expire connections
                    continue;
                }
                long now = NowMilliseconds;
                _engine.BeginBatch();
                int n = _public.Receive(frames);
                for (int i = 0; i < n; i++) _engine.FromPublic(in frames[i], now);
                int m = _private.Receive(frames);
                for (int i = 0; i < m; i++) _engine.FromPrivate(in frames[i], now);
                _engine.EndBatch(now);
                _public.ReleaseReceived();
                _private.ReleaseReceived();
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            _stopped.Set();
        }
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(2));
        _stopped.Dispose();
    }
}
