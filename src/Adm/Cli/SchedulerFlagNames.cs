using UserLvs.Scheduling;

namespace UserLvs.Adm.Cli;

/// <summary>
/// ipvsadm's names for IPVS's three scheduler flags (-b): flag-1, flag-2, flag-3 for every
/// scheduler, and the aliases sh-fallback/sh-port (sh only) and mh-fallback/mh-port (mh only) for
/// flags 1 and 2. Reading checks an alias against the scheduler named so far (wlc if none);
/// printing uses the aliases for sh and mh, where a set flag-3 has no name and prints nothing.
/// </summary>
internal static class SchedulerFlagNames
{
    /// <summary>ipvsadm's parse_sched_flags: comma-separated names, empty items skipped (strtok).</summary>
    public static SchedulerFlags Parse(string scheduler, string text)
    {
        if (scheduler.Length == 0) scheduler = SchedulerNames.Default;
        var flags = SchedulerFlags.None;
        foreach (var flag in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            (SchedulerFlags bit, string? only) = flag switch
            {
                "flag-1" => (SchedulerFlags.Flag1, null),
                "flag-2" => (SchedulerFlags.Flag2, null),
                "flag-3" => (SchedulerFlags.Flag3, null),
                "sh-fallback" => (SchedulerFlags.Flag1, SchedulerNames.SourceHashing),
                "sh-port" => (SchedulerFlags.Flag2, SchedulerNames.SourceHashing),
                "mh-fallback" => (SchedulerFlags.Flag1, SchedulerNames.MaglevHashing),
                "mh-port" => (SchedulerFlags.Flag2, SchedulerNames.MaglevHashing),
                _ => throw AdmExit.Fail($"invalid scheduler flag `{flag}'"),
            };
            flags |= bit;
            if (only is not null && scheduler != only) throw AdmExit.Fail($"incompatible scheduler flag `{flag}'");
        }
        return flags;
    }

    /// <summary>ipvsadm's print_sched_flags: the names joined by commas ("" when none has a name).</summary>
    public static string Format(string scheduler, SchedulerFlags flags)
    {
        var names = new List<string>(3);
        if (scheduler == SchedulerNames.SourceHashing || scheduler == SchedulerNames.MaglevHashing)
        {
            if ((flags & SchedulerFlags.Flag1) != 0) names.Add(scheduler + "-fallback");
            if ((flags & SchedulerFlags.Flag2) != 0) names.Add(scheduler + "-port");
        }
        else
        {
            if ((flags & SchedulerFlags.Flag1) != 0) names.Add("flag-1");
            if ((flags & SchedulerFlags.Flag2) != 0) names.Add("flag-2");
            if ((flags & SchedulerFlags.Flag3) != 0) names.Add("flag-3");
        }
        return string.Join(',', names);
    }
}
