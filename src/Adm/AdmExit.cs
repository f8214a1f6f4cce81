namespace UserLvs.Adm;

/// <summary>
/// Ends userlvs-adm at once, as ipvsadm's fail(), tryhelp_exit() and usage_exit() end ipvsadm with
/// exit(): even in the middle of -R, where a failing line stops the whole restore. Carries what to
/// print on stdout and stderr and the exit status (2 for fail, 255 for tryhelp, 0 for -h/--version).
/// </summary>
internal sealed class AdmExit(int exitCode, string? standardError = null, string? standardOutput = null) : Exception(standardError ?? standardOutput)
{
    public int ExitCode { get; } = exitCode;
    public string? StandardError { get; } = standardError;
    public string? StandardOutput { get; } = standardOutput;

    /// <summary>ipvsadm's fail(2, ...): the message and a newline on stderr, exit status 2.</summary>
    public static AdmExit Fail(string message) => new(2, message + "\n");

    /// <summary>ipvsadm's tryhelp_exit(argv[0], -1): exit status 255.</summary>
    public static AdmExit TryHelp(string program) =>
        new(255, $"Try `{program} -h' or '{program} --help' for more information.\n");
}
