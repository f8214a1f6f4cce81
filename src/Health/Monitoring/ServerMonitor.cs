namespace UserLvs.Health.Monitoring;

/// <summary>
/// One nanny: checks one real server of one virtual service every check_interval and feeds the
/// results to its <see cref="ServerHealth"/>. The first check runs at once; each later one starts
/// check_interval after the previous one started, or as soon as it ended if it took longer (checks
/// of one server never overlap). Each check may take min(timeout, check_interval). When the verdict
/// changes, <c>onChange</c> is called on the check's thread; acting on it is the owner's job.
/// Dispose stops it: the timer is gone and a check in flight is cancelled.
/// </summary>
public sealed class ServerMonitor : IDisposable
{
    private readonly IHealthCheck _check;
    private readonly CheckScheduler _scheduler;
    private readonly Action<ServerMonitor, CheckResult> _onChange;
    private readonly ServerHealth _health;
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _timer;
    private long _checks;
    private string? _lastFailure;

    public ServerMonitor(RealServerId server, ServiceCheckSettings settings, IHealthCheck check, CheckScheduler scheduler,
        Action<ServerMonitor, CheckResult> onChange, bool inService = true)
    {
        Server = server;
        Settings = settings;
        _check = check;
        _scheduler = scheduler;
        _onChange = onChange;
        _health = new ServerHealth(settings.Timeout, settings.Reentry, inService);
        _timer = scheduler.Time.CreateTimer(_ => _ = RunAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public RealServerId Server { get; }

    public ServiceCheckSettings Settings { get; }

    /// <summary>How many checks have completed (for tests and status).</summary>
    public long Checks => Interlocked.Read(ref _checks);

    public bool IsStopped => _stop.IsCancellationRequested;

    /// <summary>The last check's failure reason, or null when it passed (or none ran yet).</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    public void Start() => _timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);

    private async Task RunAsync()
    {
        if (_stop.IsCancellationRequested) return;
        var started = _scheduler.Time.GetUtcNow();
        CheckResult result;
        try
        {
            await _scheduler.Slots.WaitAsync(_stop.Token);
            try
            {
                result = await _check.CheckAsync(Server.EndPoint, Settings.CheckDeadline, _stop.Token);
            }
            finally
            {
                _scheduler.Slots.Release();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            result = CheckResult.Fail($"check failed: {e.Message}");
        }
        var now = _scheduler.Time.GetUtcNow();
        Volatile.Write(ref _lastFailure, result.Passed ? null : result.Reason);
        Interlocked.Increment(ref _checks);
        try
        {
            if (_health.Observe(result, now) && !_stop.IsCancellationRequested) _onChange(this, result);
        }
        finally
        {
            var wait = started + Settings.CheckInterval - now;
            try
            {
                if (!_stop.IsCancellationRequested) _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _timer.Dispose();
    }
}
