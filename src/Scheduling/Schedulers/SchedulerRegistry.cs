using System.Collections.Frozen;

namespace UserLvs.Scheduling;

/// <summary>Finds a scheduler by its IPVS name and builds it for one snapshot of a service's servers.</summary>
public static class SchedulerRegistry
{
    private static readonly FrozenDictionary<string, Func<SchedulerContext, IScheduler>> Factories =
        new Dictionary<string, Func<SchedulerContext, IScheduler>>
        {
            [SchedulerNames.RoundRobin] = c => new RoundRobinScheduler(c),
            [SchedulerNames.WeightedRoundRobin] = c => new WeightedRoundRobinScheduler(c),
            [SchedulerNames.LeastConnection] = c => new LeastConnectionScheduler(c),
            [SchedulerNames.WeightedLeastConnection] = c => new WeightedLeastConnectionScheduler(c),
            [SchedulerNames.LocalityBasedLeastConnection] = c => new LocalityBasedLeastConnectionScheduler(c),
            [SchedulerNames.LocalityBasedLeastConnectionWithReplication] = c => new LocalityBasedLeastConnectionWithReplicationScheduler(c),
            [SchedulerNames.DestinationHashing] = c => new DestinationHashingScheduler(c),
            [SchedulerNames.SourceHashing] = c => new SourceHashingScheduler(c),
            [SchedulerNames.ShortestExpectedDelay] = c => new ShortestExpectedDelayScheduler(c),
            [SchedulerNames.NeverQueue] = c => new NeverQueueScheduler(c),
            [SchedulerNames.MaglevHashing] = c => new MaglevHashingScheduler(c),
            [SchedulerNames.WeightedFailover] = c => new WeightedFailoverScheduler(c),
            [SchedulerNames.WeightedOverflow] = c => new WeightedOverflowScheduler(c),
            [SchedulerNames.WeightedRandomTwoChoices] = c => new WeightedRandomTwoChoicesScheduler(c),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every scheduler name, in IPVS's usual listing order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        SchedulerNames.RoundRobin, SchedulerNames.WeightedRoundRobin, SchedulerNames.LeastConnection,
        SchedulerNames.WeightedLeastConnection, SchedulerNames.LocalityBasedLeastConnection,
        SchedulerNames.LocalityBasedLeastConnectionWithReplication, SchedulerNames.DestinationHashing,
        SchedulerNames.SourceHashing, SchedulerNames.ShortestExpectedDelay, SchedulerNames.NeverQueue,
        SchedulerNames.MaglevHashing, SchedulerNames.WeightedFailover, SchedulerNames.WeightedOverflow,
        SchedulerNames.WeightedRandomTwoChoices,
    ];

    public static bool IsKnown(string name) => Factories.ContainsKey(name);

    public static IScheduler Create(string name, SchedulerContext context) =>
        Factories.TryGetValue(name, out var factory)
            ? factory(context)
            : throw new ArgumentException($"unknown scheduler '{name}'", nameof(name));
}
