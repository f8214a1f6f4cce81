namespace UserLvs.Failover.Commands;

/// <summary>
/// How one active_cmd/inactive_cmd run ended: an exit status, killed after the time limit, or not
/// started at all (no /bin/sh, no permission).
/// </summary>
public sealed record CommandOutcome(string Label, string Command, int? ExitCode, bool TimedOut, string? StartError, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() =>
        StartError is not null ? $"{Label} '{Command}' could not start: {StartError}"
        : TimedOut ? $"{Label} '{Command}' killed after {Duration.TotalSeconds:0.###} s (time limit)"
        : $"{Label} '{Command}' exited with status {ExitCode} after {Duration.TotalSeconds:0.###} s";
}
