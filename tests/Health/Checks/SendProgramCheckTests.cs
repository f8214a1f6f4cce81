using System.Net;
using UserLvs.Health.Checks;

namespace UserLvs.Health.Tests.Checks;

/// <summary>send_program runs real programs (/bin/sh, /bin/echo) on a real clock with short deadlines.</summary>
public sealed class SendProgramCheckTests : IDisposable
{
    private static readonly IPEndPoint Server = new(IPAddress.Loopback, 8080);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("nanny-program-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<CheckResult> Run(string line, string? expect = null, TimeSpan? timeout = null) =>
        new SendProgramCheck(line, expect is null ? null : ReplyExpectation.From(expect, false), TimeProvider.System)
            .CheckAsync(Server, timeout ?? Generous, default).AsTask();

    [Fact]
    public async Task WithoutExpect_ExitStatusZeroPasses_AndAnyOtherFailsWithIt()
    {
        Assert.Equal(CheckResult.Pass, await Run("/bin/sh -c 'exit 0'"));
        Assert.Equal(CheckResult.Fail("send_program exited 3"), await Run("/bin/sh -c 'exit 3'"));
    }

    [Fact]
    public async Task WithExpect_StandardOutputIsMatched_WhateverTheStatus()
    {
        Assert.Equal(CheckResult.Pass, await Run("/bin/sh -c 'echo ready; exit 1'", "ready"));
        Assert.Equal(CheckResult.Fail(@"send_program output: expected 'ready' but got 'busy\n'"), await Run("/bin/echo busy", "ready"));
    }

    [Fact]
    public async Task WithExpect_TheWholeOutputMustBeIt_LessItsLastNewline_AsNannyCompares()
    {
        Assert.Equal(CheckResult.Pass, await Run("/bin/printf ready", "ready"));
        Assert.Equal(CheckResult.Fail(@"send_program output: expected 'ready' but got 'ready but slow\n'"),
            await Run("/bin/echo ready but slow", "ready"));
    }

    [Fact]
    public async Task AddressAndPort_AreSubstituted_AsSeparateWords_WithoutAShell()
    {
        Assert.Equal(CheckResult.Pass, await Run("/bin/echo %h:%p $HOME;", "127.0.0.1:8080 $HOME;"));
    }

    [Fact]
    public async Task AProgramThatIsNotThere_FailsWithItsName() =>
        Assert.Equal(CheckResult.Fail("send_program '/nonexistent/check' not found or not executable"), await Run("/nonexistent/check %h"));

    [Fact]
    public async Task AHangingProgram_IsKilledAtTheDeadline_WithWhatItStarted_AndReaped()
    {
        string self = Path.Combine(_dir, "self"), child = Path.Combine(_dir, "child");
        var result = await Run($"/bin/sh -c 'echo $$ > {self}; sleep 300 & echo $! > {child}; wait'", timeout: TimeSpan.FromMilliseconds(500));

        Assert.Equal(CheckResult.Fail("send_program timed out after 0.5s (killed)"), result);
        int program = int.Parse(File.ReadAllText(self).Trim());
        int started = int.Parse(File.ReadAllText(child).Trim());
        // The program is our child: killed and waited for, it is gone entirely (a zombie would still have /proc/PID).
        Assert.False(Directory.Exists($"/proc/{program}"), $"send_program {program} is still in /proc: {State(program)}");
        // What it started was in its process group and got the same SIGKILL (init reaps it; it may linger as a zombie).
        for (int i = 0; i < 100 && State(started) is not (null or "Z"); i++) await Task.Delay(20);
        Assert.True(State(started) is null or "Z", $"sleep {started} still runs: {State(started)}");
    }

    [Fact]
    public async Task ProgramsLeftRunningByAPassingCheck_DoNotOutliveIt()
    {
        string child = Path.Combine(_dir, "child");
        Assert.Equal(CheckResult.Pass, await Run($"/bin/sh -c 'sleep 300 > /dev/null 2>&1 & echo $! > {child}; exit 0'"));
        int started = int.Parse(File.ReadAllText(child).Trim());
        for (int i = 0; i < 100 && State(started) is not (null or "Z"); i++) await Task.Delay(20);
        Assert.True(State(started) is null or "Z", $"sleep {started} still runs: {State(started)}");
    }

    /// <summary>The process state letter from /proc/PID/stat (R, S, Z, ...), or null when there is no such process.</summary>
    private static string? State(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (IOException) { return null; }
    }
}
