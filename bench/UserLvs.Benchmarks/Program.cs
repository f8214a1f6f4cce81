using BenchmarkDotNet.Running;
using UserLvs.Benchmarks;

// Runs the benchmarks named on the command line, e.g.
//   dotnet run -c Release --project bench/UserLvs.Benchmarks -- --filter '*SchedulerPick*'
// `-- --smoke` instead runs BenchmarkSelfCheck (also run by tests/Bench): every NAT-path frame
// forwarded, every table lookup a hit, the memory yardstick's chain through every slot it chose.
if (args is ["--smoke"])
{
    BenchmarkSelfCheck.NatPathForwardsEveryFrame(rounds: 2000);
    Console.WriteLine("NatPathBenchmarks: every frame forwarded");
    BenchmarkSelfCheck.TableLookupsAllHit(lookups: 100_000);
    Console.WriteLine("ConnectionTableBenchmarks: every lookup hit");
    BenchmarkSelfCheck.FloorChainVisitsEverySlot();
    Console.WriteLine("MemoryFloorBenchmarks: the dependent chain visits every slot it chose");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
