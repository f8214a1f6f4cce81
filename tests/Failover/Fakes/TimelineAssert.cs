namespace UserLvs.Failover.Tests.Fakes;

/// <summary>Reads a pair's timeline as the data plane sees it: who forwards at each point.</summary>
public static class TimelineAssert
{
    /// <summary>The largest number of routers forwarding at once, replaying BecomeActive/BecomeStandby in order.</summary>
    public static int MostActiveAtOnce(IEnumerable<string> timeline, params string[] initiallyActive)
    {
        var active = new HashSet<string>(initiallyActive);
        int most = active.Count;
        foreach (var line in timeline)
        {
            string who = line[..line.IndexOf(':')];
            if (line.EndsWith(": BecomeActive", StringComparison.Ordinal)) active.Add(who);
            else if (line.EndsWith(": BecomeStandby", StringComparison.Ordinal)) active.Remove(who);
            most = Math.Max(most, active.Count);
        }
        return most;
    }
}
