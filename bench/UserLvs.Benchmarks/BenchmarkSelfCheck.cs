namespace UserLvs.Benchmarks;

/// <summary>
/// Checks that the benchmarks measure what they say: every NAT-path frame forwarded (not dropped),
/// every table lookup a hit (not a miss), the memory yardstick's dependent chain a cycle through every
/// slot it chose (a short cycle would stay in cache). A benchmark that silently measured a drop, a
/// miss or a cached read would report a flattering figure. Run by `-- --smoke` and by
/// tests/Bench in CI; each check throws with what it found.
/// </summary>
public static class BenchmarkSelfCheck
{
    public static void NatPathForwardsEveryFrame(int rounds)
    {
        var nat = new NatPathBenchmarks();
        nat.Setup();
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                int c = nat.ClientToServer(), s = nat.ServerToClient(), n = nat.NewConnection();
                if (c != NatPathBenchmarks.Batch || s != NatPathBenchmarks.Batch || n != NatPathBenchmarks.Batch)
                    throw new InvalidOperationException($"NatPath round {round}: forwarded {c}/{s}/{n} of {NatPathBenchmarks.Batch}");
            }
        }
        finally
        {
            nat.Cleanup();
        }
    }

    public static void TableLookupsAllHit(int lookups)
    {
        var table = new ConnectionTableBenchmarks { WorkingSet = "Hot" };
        table.Setup();
        for (int i = 0; i < lookups; i++)
            if (table.LookupInbound() < 0 || table.LookupOutbound() < 0 ||
                table.LookupInboundBatched() != ConnectionTableBenchmarks.Batch ||
                table.LookupOutboundBatched() != ConnectionTableBenchmarks.Batch)
                throw new InvalidOperationException($"ConnectionTable lookup {i} missed");
    }

    public static void FloorChainVisitsEverySlot()
    {
        var floor = new MemoryFloorBenchmarks { WorkingSet = "Hot" };
        floor.Setup();
        int cycle = floor.ChainLength();
        if (cycle != ConnectionTableBenchmarks.HotConnections)
            throw new InvalidOperationException(
                $"MemoryFloor: the dependent chain closes after {cycle} reads, not {ConnectionTableBenchmarks.HotConnections}");
    }
}
