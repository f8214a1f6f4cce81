using System.Diagnostics;

namespace UserLvs.Failover;

/// <summary>
/// A one-shot timer on a thread of its own, for pulse's ticks on the real clock. At keepalive 0.01 s
/// and deadtime 0.03 s a tick that starts 10–20 ms late turns into that much more client outage; a
/// thread-pool timer waits behind whatever else the pool runs (health checks, the control socket,
/// gratuitous ARP) and behind the pool's own thread injection. This thread does nothing but wait for
/// the due time and run the callback, so its lateness is the scheduler's alone.
/// Change(due, period) re-arms it (the period is ignored: pulse re-arms after every tick).
/// </summary>
internal sealed class DedicatedThreadTimer : ITimer
{
    private readonly Action _callback;
    private readonly Thread _thread;
    private readonly AutoResetEvent _changed = new(false);
    private readonly Lock _gate = new();
    private long _dueTimestamp = long.MaxValue;   // Stopwatch ticks; MaxValue = disarmed
    private volatile bool _disposed;

    public DedicatedThreadTimer(Action callback, string name)
    {
        _callback = callback;
        _thread = new Thread(Run) { IsBackground = true, Name = name, Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            if (_disposed) return false;
            _dueTimestamp = dueTime == Timeout.InfiniteTimeSpan
                ? long.MaxValue
                : Stopwatch.GetTimestamp() + (long)(Math.Max(0, dueTime.Ticks) * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        }
        _changed.Set();
        return true;
    }

    private void Run()
    {
        while (!_disposed)
        {
            long due;
            lock (_gate) due = _dueTimestamp;
            long now = Stopwatch.GetTimestamp();
            if (due <= now)
            {
                lock (_gate) if (_dueTimestamp == due) _dueTimestamp = long.MaxValue;
                _callback();
                continue;
            }
            // Round the wait up, so that the callback never runs before its time.
            int wait = due == long.MaxValue ? Timeout.Infinite
                : (int)Math.Min(int.MaxValue, (due - now) * 1000 / Stopwatch.Frequency + 1);
            _changed.WaitOne(wait);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _changed.Set();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(2));
        _changed.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
