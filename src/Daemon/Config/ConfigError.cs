namespace UserLvs.Daemon.Config;

/// <summary>
/// One finding about an lvs.cf file, printed as a compiler would: <c>FILE:LINE: reason</c>, or
/// <c>FILE:LINE: warning: reason</c> for a warning. Line 0 means the file as a whole (it could not be
/// read), printed as <c>FILE: reason</c>. Warnings never stop a load; any error does.
/// </summary>
public sealed record ConfigError(string File, int Line, string Reason, bool IsWarning = false)
{
    public override string ToString()
    {
        string where = Line > 0 ? $"{File}:{Line}" : File;
        return IsWarning ? $"{where}: warning: {Reason}" : $"{where}: {Reason}";
    }
}
