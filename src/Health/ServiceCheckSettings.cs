using UserLvs.Scheduling;

namespace UserLvs.Health;

/// <summary>
/// How nanny checks the real servers of one virtual service and what it does with a verdict: the
/// lvs.cf keys of a <c>virtual</c> block (send, expect, use_regex, send_program, load_monitor,
/// timeout, reentry, check_interval, quiesce_server, sorry_server). Strings are raw lvs.cf text:
/// the checkers interpret escapes. A record, so a reload that changes nothing compares equal.
/// </summary>
public sealed record ServiceCheckSettings
{
    /// <summary>For a service lvs.cf does not name (made with userlvs-adm -A): a plain TCP connect (UDP: port probe), lvs.cf's default timings.</summary>
    public static ServiceCheckSettings Unconfigured { get; } = new() { HttpProbeOnPort80 = false };

    public string? Send { get; init; }

    public string? Expect { get; init; }

    public bool UseRegex { get; init; }

    /// <summary>A program run instead of send; %h is the real server's address, %p its port.</summary>
    public string? SendProgram { get; init; }

    /// <summary>With neither send nor expect nor send_program, a real server on port 80 gets the built-in HTTP probe.</summary>
    public bool HttpProbeOnPort80 { get; init; } = true;

    public LoadMonitor LoadMonitor { get; init; }

    /// <summary>How long a real server may fail before it is taken out (lvs.cf default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a taken-out real server must pass before it is put back (lvs.cf default 180 s).</summary>
    public TimeSpan Reentry { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Time between the starts of two checks of one real server (default: <see cref="Timeout"/>).</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Take a failed server out by setting its weight to 0 (quiesce) instead of removing it.</summary>
    public bool QuiesceServer { get; init; }

    /// <summary>Added with weight 1 while every real server of the service is out; removed when one returns.</summary>
    public SorryServer? SorryServer { get; init; }

    /// <summary>
    /// How long one check may take: min(timeout, check_interval), so a check always ends before the
    /// next one is due and a hanging server is judged within the time it may fail.
    /// </summary>
    public TimeSpan CheckDeadline => Timeout < CheckInterval ? Timeout : CheckInterval;
}

/// <summary>lvs.cf <c>sorry_server = ADDRESS [PORT]</c>.</summary>
public readonly record struct SorryServer(IPv4Address Address, ushort Port)
{
    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>lvs.cf <c>load_monitor</c>. Only <see cref="None"/> acts: see the README (health checks) for why.</summary>
public enum LoadMonitor : byte
{
    None,
    Uptime,
    Ruptime,
    Rup,
    Rsh,
    Ssh,
}
