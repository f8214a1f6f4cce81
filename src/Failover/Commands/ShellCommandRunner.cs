using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;

namespace UserLvs.Failover.Commands;

/// <summary>
/// Runs lvs.cf's active_cmd and inactive_cmd as <c>/bin/sh -c COMMAND</c>, one at a time and in the
/// order asked (an inactive_cmd never overtakes the active_cmd before it), on a worker task, so the
/// state machine only enqueues and never waits. Each run is bounded: past the time limit the whole
/// process tree is killed. The runtime reaps every child it started, so no zombie stays behind.
/// The child's stdin is /dev/null-like (closed at once); its stdout/stderr go where the daemon's go.
/// </summary>
public sealed class ShellCommandRunner : IAsyncDisposable
{
    private readonly Channel<Job> queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeSpan limit;
    private readonly string shell;
    private readonly Action<CommandOutcome>? finished;
    private readonly Task worker;

    /// <param name="limit">How long one command may run before it is killed.</param>
    /// <param name="finished">Called on the worker for every outcome (the daemon logs it).</param>
    public ShellCommandRunner(TimeSpan limit, Action<CommandOutcome>? finished = null, string shell = "/bin/sh")
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero);
        this.limit = limit;
        this.shell = shell;
        this.finished = finished;
        worker = Task.Run(WorkAsync);
    }

    /// <summary>Queues a command and returns at once; the task completes when it has ended.</summary>
    public Task<CommandOutcome> Enqueue(string label, string command)
    {
        var job = new Job(label, command, new TaskCompletionSource<CommandOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(job))
            job.Done.SetResult(new CommandOutcome(label, command, null, false, "the runner is stopped", TimeSpan.Zero));
        return job.Done.Task;
    }

    /// <summary>Lets queued commands finish (each still bounded by the limit), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await worker.ConfigureAwait(false);
    }

    private async Task WorkAsync()
    {
        await foreach (var job in queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var outcome = await RunAsync(job.Label, job.Command).ConfigureAwait(false);
            try { finished?.Invoke(outcome); }
            catch (Exception) { /* a logging failure must not stop later commands */ }
            job.Done.SetResult(outcome);
        }
    }

    private async Task<CommandOutcome> RunAsync(string label, string command)
    {
        var started = Stopwatch.GetTimestamp();
        var info = new ProcessStartInfo(shell) { UseShellExecute = false, RedirectStandardInput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return new CommandOutcome(label, command, null, false, e.Message, Stopwatch.GetElapsedTime(started));
        }
        using (process)
        {
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                return new CommandOutcome(label, command, process.ExitCode, false, null, Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); }
                catch (Exception e) when (e is InvalidOperationException or Win32Exception) { /* it ended meanwhile */ }
                await process.WaitForExitAsync().ConfigureAwait(false);
                return new CommandOutcome(label, command, null, true, null, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    private sealed record Job(string Label, string Command, TaskCompletionSource<CommandOutcome> Done);
}
