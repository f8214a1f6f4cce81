namespace UserLvs.Tests.Shared;

/// <summary>
/// Measures what a piece of hot-path work allocates once it runs steadily.
///
/// The work runs in a few equal rounds and the quietest round counts. An allocation per packet or per
/// pick shows in every round (thousands of operations make it thousands of bytes); the runtime's
/// one-time work on the measuring thread (a method reaching its next JIT tier mid-round, a lazily
/// created thread-static) lands in one round at most. Measuring a single round made such one-time
/// work fail a test now and then although the code under test allocated nothing.
/// </summary>
public static class SteadyStateAllocations
{
    public static long OfQuietestRound(Action round, int rounds = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        long quietest = long.MaxValue;
        for (int i = 0; i < rounds && quietest != 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            quietest = Math.Min(quietest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return quietest;
    }
}
