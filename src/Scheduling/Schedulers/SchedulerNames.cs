namespace UserLvs.Scheduling;

/// <summary>The IPVS scheduler names, as ipvsadm -s and lvs.cf's scheduler key spell them.</summary>
public static class SchedulerNames
{
    public const string RoundRobin = "rr";
    public const string WeightedRoundRobin = "wrr";
    public const string LeastConnection = "lc";
    public const string WeightedLeastConnection = "wlc";
    public const string LocalityBasedLeastConnection = "lblc";
    public const string LocalityBasedLeastConnectionWithReplication = "lblcr";
    public const string DestinationHashing = "dh";
    public const string SourceHashing = "sh";
    public const string ShortestExpectedDelay = "sed";
    public const string NeverQueue = "nq";
    public const string MaglevHashing = "mh";
    public const string WeightedFailover = "fo";
    public const string WeightedOverflow = "ovf";
    public const string WeightedRandomTwoChoices = "twos";

    /// <summary>ipvsadm's default scheduler.</summary>
    public const string Default = WeightedLeastConnection;
}
