using UserLvs.Failover.Commands;

namespace UserLvs.Failover.Tests.Commands;

/// <summary>active_cmd/inactive_cmd through /bin/sh: exit status, order, time limit, no leftovers.</summary>
public sealed class ShellCommandRunnerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("pulse-cmd-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task ExitStatus_IsReported()
    {
        var seen = new List<CommandOutcome>();
        await using var runner = new ShellCommandRunner(TimeSpan.FromSeconds(10), seen.Add);
        var outcome = await runner.Enqueue("active_cmd", "exit 3");

        Assert.Equal((3, false, (string?)null), (outcome.ExitCode, outcome.TimedOut, outcome.StartError));
        Assert.StartsWith("active_cmd 'exit 3' exited with status 3 after ", outcome.ToString());
        Assert.Equal(outcome, Assert.Single(seen));
    }

    [Fact]
    public async Task Commands_RunOneAtATime_InTheOrderQueued()
    {
        string log = Path.Combine(dir, "log");
        await using var runner = new ShellCommandRunner(TimeSpan.FromSeconds(10));
        var first = runner.Enqueue("active_cmd", $"sleep 0.2; echo active >> {log}");
        var second = runner.Enqueue("inactive_cmd", $"echo inactive >> {log}");
        await Task.WhenAll(first, second);

        Assert.Equal(["active", "inactive"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task Enqueue_DoesNotWaitForTheCommand()
    {
        string gate = Path.Combine(dir, "gate");
        await using var runner = new ShellCommandRunner(TimeSpan.FromSeconds(10));
        var running = runner.Enqueue("active_cmd", $"while [ ! -e {gate} ]; do sleep 0.05; done");

        Assert.False(running.IsCompleted); // returned while the command still waits for the gate file
        File.WriteAllText(gate, "");
        Assert.Equal(0, (await running).ExitCode);
    }

    [Fact]
    public async Task OverTheLimit_TheProcessTreeIsKilled_AndTheShellReaped()
    {
        string pids = Path.Combine(dir, "pids");
        await using var runner = new ShellCommandRunner(TimeSpan.FromMilliseconds(300));
        var outcome = await runner.Enqueue("inactive_cmd", $"sleep 30 & echo $$ $! > {pids}; wait");

        Assert.True(outcome.TimedOut);
        Assert.Null(outcome.ExitCode);
        var parts = File.ReadAllText(pids).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string shell = parts[0], sleep = parts[1];
        // The shell was our child: it must be gone, not left as a zombie.
        Assert.False(File.Exists($"/proc/{shell}/stat"), $"the shell {shell} is still there: {State(shell)}");
        // The sleep was the shell's child: killed with the tree (its reaping is its new parent's job).
        await WaitUntil(() => State(sleep) is null or "Z");
        Assert.True(State(sleep) is null or "Z", $"sleep {sleep} still runs: {State(sleep)}");
    }

    private static string? State(string pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (IOException) { return null; }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(10);
    }

    [Fact]
    public async Task MissingShell_ReportedAsNotStarted()
    {
        await using var runner = new ShellCommandRunner(TimeSpan.FromSeconds(1), shell: "/nonexistent/sh");
        var outcome = await runner.Enqueue("active_cmd", "true");
        Assert.NotNull(outcome.StartError);
        Assert.Null(outcome.ExitCode);
    }
}
