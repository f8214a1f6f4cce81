namespace UserLvs.Scheduling;

/// <summary>
/// Everything a scheduler is built from: the real servers in IPVS's list order (the most recently
/// added first, as list_add puts them at the head of svc->destinations), the service's scheduler
/// flags, and the injected clock and randomness.
/// </summary>
public sealed record SchedulerContext(
    IReadOnlyList<RealServer> Servers,
    SchedulerFlags Flags = SchedulerFlags.None,
    TimeProvider? Time = null,
    IRandomSource? Random = null,
    IScheduler? Previous = null)
{
    public TimeProvider Clock => Time ?? TimeProvider.System;
    public IRandomSource RandomSource => Random ?? SharedRandomSource.Instance;
}

/// <summary>Randomness for the schedulers that need it (twos), replaceable by a fixed sequence in tests.</summary>
public interface IRandomSource
{
    /// <summary>A uniformly distributed value in [0, maxExclusive).</summary>
    uint Next(uint maxExclusive);
}

/// <summary>The production source: <see cref="System.Random.Shared"/> is thread-safe and allocation-free.</summary>
public sealed class SharedRandomSource : IRandomSource
{
    public static readonly SharedRandomSource Instance = new();
    public uint Next(uint maxExclusive) => maxExclusive <= 1 ? 0 : (uint)System.Random.Shared.NextInt64(maxExclusive);
}
