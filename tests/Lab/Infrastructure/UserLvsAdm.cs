namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// The real userlvs-adm (<see cref="LabPaths.Adm"/>) as an operator runs it against one daemon:
/// USERLVS_SOCKET names the daemon's --socket. The socket is a file, so the tool runs on the host,
/// outside the lab's namespaces. Each run is bounded by <see cref="CommandLine"/>'s time limit.
/// </summary>
public sealed class UserLvsAdm(string socketPath)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>One invocation with these arguments; any exit status.</summary>
    public CommandResult Run(params string[] arguments) => RunWithInput(null, arguments);

    /// <summary>One invocation reading <paramref name="input"/> on its standard input (for -R); any exit status.</summary>
    public CommandResult RunWithInput(string? input, params string[] arguments) =>
        CommandLine.Run("env", [$"USERLVS_SOCKET={socketPath}", LabPaths.Adm, .. arguments], Limit, input);

    /// <summary>An invocation that must exit 0 and print nothing on stderr; returns its standard output.</summary>
    public string Check(params string[] arguments) => CheckWithInput(null, arguments);

    public string CheckWithInput(string? input, params string[] arguments)
    {
        var result = RunWithInput(input, arguments);
        if (result.ExitCode != 0 || result.StandardError.Length > 0) throw new InvalidOperationException(result.ToString());
        return result.StandardOutput;
    }
}
