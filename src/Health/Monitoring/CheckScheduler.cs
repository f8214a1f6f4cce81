namespace UserLvs.Health.Monitoring;

/// <summary>
/// What every monitor shares: the clock their timers run on and a cap on checks in flight. Monitors
/// are timers on <see cref="Time"/> (the runtime keeps all of them in one timer queue, no thread
/// each) whose checks are asynchronous I/O; the semaphore keeps a thousand monitors whose checks
/// fall due together from opening a thousand sockets or processes at once (the rest wait their turn,
/// their deadline starting only when they run).
/// </summary>
public sealed class CheckScheduler(TimeProvider? time = null, int maxConcurrentChecks = CheckScheduler.DefaultMaxConcurrentChecks)
{
    public const int DefaultMaxConcurrentChecks = 128;

    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    internal SemaphoreSlim Slots { get; } = new(maxConcurrentChecks, maxConcurrentChecks);
}
