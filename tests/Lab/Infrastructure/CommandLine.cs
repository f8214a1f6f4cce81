using System.Diagnostics;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>What a finished command printed and returned.</summary>
public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() =>
        $"`{Command}` exited {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>
/// Runs a program to completion within a time limit (never an unbounded wait). A command that
/// overruns is killed by its own process id and reported as exit code -1.
/// </summary>
public static class CommandLine
{
    public static CommandResult Run(string file, IEnumerable<string> arguments, TimeSpan limit, string? input = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // closed at once when there is no input: nothing waits on the terminal
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        string text = file + " " + string.Join(' ', start.ArgumentList);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {text}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null) process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(limit))
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
            process.WaitForExit(5_000);
            return new CommandResult(text, -1, Wait(stdout), Wait(stderr) + $"\n(killed after {limit.TotalSeconds} s)");
        }
        process.WaitForExit();
        return new CommandResult(text, process.ExitCode, Wait(stdout), Wait(stderr));
    }

    /// <summary>Runs a command that must succeed; otherwise throws with everything it printed.</summary>
    public static CommandResult Check(string file, IEnumerable<string> arguments, TimeSpan limit, string? input = null)
    {
        var result = Run(file, arguments, limit, input);
        if (result.ExitCode != 0) throw new InvalidOperationException(result.ToString());
        return result;
    }

    private static string Wait(Task<string> read) => read.Wait(TimeSpan.FromSeconds(5)) ? read.Result : "(output not closed)";
}
