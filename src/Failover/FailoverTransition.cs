namespace UserLvs.Failover;

/// <summary>One change of this router's role, with the reason in words for the log.</summary>
public sealed record FailoverTransition(RouterRole From, RouterRole To, string Reason, DateTimeOffset At)
{
    public override string ToString() => $"{From} -> {To}: {Reason}";
}
