using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;

namespace UserLvs.Health.Checks;

/// <summary>
/// lvs.cf <c>send_program</c>: an external program judges the real server. The line is split into
/// words without a shell (<see cref="ProgramCommandLine"/>), %h and %p become the server's address
/// and port, and the program runs in its own session and process group (through setsid(1)), stdin
/// closed. With <c>expect</c> its standard output (the first <see cref="ReplyExpectation.MaxReply"/>
/// bytes) must match; without, exit status 0 passes and any other fails ("send_program exited 3").
/// At the deadline, and after it exits (so nothing it left running outlives the check), its whole
/// process group gets SIGKILL; the program itself is always waited for, so it never stays a zombie.
/// Standard error is read and dropped.
/// </summary>
public sealed class SendProgramCheck(string commandLine, ReplyExpectation? expect, TimeProvider time) : IHealthCheck
{
    private const string SetSid = "/usr/bin/setsid";
    private static readonly TimeSpan ReapLimit = TimeSpan.FromSeconds(5);

    public async ValueTask<CheckResult> CheckAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> words;
        try { words = ProgramCommandLine.Split(commandLine); }
        catch (FormatException e) { return CheckResult.Fail(e.Message); }
        string address = server.Address.ToString();
        var arguments = words.Select(w => ProgramCommandLine.Substitute(w, address, (ushort)server.Port)).ToList();
        if (Resolve(arguments[0]) is not { } program)
            return CheckResult.Fail($"send_program {CheckText.Quote(arguments[0])} not found or not executable");

        bool grouped = File.Exists(SetSid);
        var start = new ProcessStartInfo(grouped ? SetSid : program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (grouped) start.ArgumentList.Add(program);
        foreach (var argument in arguments.Skip(1)) start.ArgumentList.Add(argument);

        using var deadline = new Deadline(time, timeout, cancellationToken);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return CheckResult.Fail($"send_program cannot start: {e.Message}");
        }
        process.StandardInput.Close();
        var output = ReadLimited(process.StandardOutput.BaseStream);
        var errors = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            KillGroup(process, grouped);
            await Reap(process, output, errors);
            if (deadline.Expired) return CheckResult.Fail($"send_program {CheckText.TimedOut(timeout)} (killed)");
            throw;
        }
        KillGroup(process, grouped);
        await Reap(process, output, errors);
        int status = process.ExitCode;
        if (expect is null)
            return status == 0 ? CheckResult.Pass : CheckResult.Fail($"send_program exited {status}");
        if (!output.IsCompleted)
        {
            // Something the program started outside its process group still holds its stdout: the
            // output never ends, so it cannot be judged (and awaiting it would hang this check).
            _ = output.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            return CheckResult.Fail("send_program exited but its output stayed open (a process it started holds it)");
        }
        var printed = await output;
        return expect.JudgeOutput(printed) is { Passed: false } failed
            ? CheckResult.Fail($"send_program output: {failed.Reason}")
            : CheckResult.Pass;
    }

    private static void KillGroup(Process process, bool grouped)
    {
        // The program leads its own process group (setsid), so -pid reaches what it started too.
        if (grouped) _ = Interop.kill(-process.Id, Interop.SIGKILL);
        else
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }
    }

    /// <summary>Waits for the killed program (so the runtime reaps it) and for its pipes to close, bounded.</summary>
    private static async Task Reap(Process process, Task<byte[]> output, Task errors)
    {
        using var limit = new CancellationTokenSource(ReapLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            await Task.WhenAll(output, errors).WaitAsync(limit.Token);
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    private static async Task<byte[]> ReadLimited(Stream stream)
    {
        var buffer = new byte[ReplyExpectation.MaxReply];
        int filled = 0;
        int n;
        while ((n = await stream.ReadAsync(filled < buffer.Length ? buffer.AsMemory(filled) : new byte[4096])) > 0)
            filled = Math.Min(buffer.Length, filled + n);
        return buffer[..filled];
    }

    /// <summary>The program a send_program line names, found as the check will find it (PATH for a bare name), or null.</summary>
    public static string? Resolve(string program)
    {
        if (program.Contains('/')) return IsExecutable(program) ? program : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (IsExecutable(candidate)) return candidate;
        }
        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
