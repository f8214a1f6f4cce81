namespace UserLvs.Benchmarks.Tests;

/// <summary>
/// The figures in bench/RESULTS.md are only worth something if each benchmark does what its name
/// says. A NAT-path benchmark that dropped its frames, a lookup benchmark whose keys missed, or a
/// memory yardstick whose chain looped within the cache would all report flattering numbers and
/// still run. These run the benchmark classes' own setup and methods (not BenchmarkDotNet's timing).
/// </summary>
public class BenchmarksMeasureWhatTheySayTests
{
    [Fact]
    public void NatPath_ForwardsEveryFrameItTimes()
    {
        BenchmarkSelfCheck.NatPathForwardsEveryFrame(rounds: 200);
    }

    [Fact]
    public void ConnectionTable_EveryLookupHits_OneAtATimeAndBatched()
    {
        BenchmarkSelfCheck.TableLookupsAllHit(lookups: 2_000);
    }

    [Fact]
    public void MemoryFloor_DependentChainVisitsEverySlotItChose()
    {
        BenchmarkSelfCheck.FloorChainVisitsEverySlot();
    }
}
