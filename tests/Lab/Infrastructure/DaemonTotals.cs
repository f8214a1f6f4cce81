using System.Text.RegularExpressions;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// The frame accounting userlvsd logs when it stops:
/// "frames: R received, S to real servers, C to clients, A answered, K left to the kernel, D dropped ...".
/// </summary>
public sealed partial record DaemonTotals(long Received, long ToRealServers, long ToClients, long Dropped)
{
    public static DaemonTotals Parse(string log)
    {
        var match = FramesLine().Match(log);
        if (!match.Success) throw new FormatException($"no \"frames:\" line in the daemon's log:\n{log}");
        return new DaemonTotals(
            long.Parse(match.Groups["received"].Value),
            long.Parse(match.Groups["servers"].Value),
            long.Parse(match.Groups["clients"].Value),
            long.Parse(match.Groups["dropped"].Value));
    }

    [GeneratedRegex(@"frames: (?<received>\d+) received, (?<servers>\d+) to real servers, (?<clients>\d+) to clients, .*?(?<dropped>\d+) dropped")]
    private static partial Regex FramesLine();
}
