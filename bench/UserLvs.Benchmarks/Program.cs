using BenchmarkDotNet.Running;
using UserLvs.Benchmarks;

// Runs the benchmarks named on the command line, e.g.
//   dotnet run -c Release --project bench/UserLvs.Benchmarks -- --filter '*SchedulerPick*'
// `-- --smoke` instead runs the NAT path and connection table benchmarks a few times and checks that
// every frame was forwarded and every lookup hit, so a benchmark that silently measures a drop or a
// miss fails loudly.
if (args is ["--smoke"])
{
    var nat = new NatPathBenchmarks();
    nat.Setup();
    for (int round = 0; round < 2000; round++)
    {
        int c = nat.ClientToServer(), s = nat.ServerToClient(), n = nat.NewConnection();
        if (c != 64 || s != 64 || n != 64)
            throw new InvalidOperationException($"round {round}: forwarded {c}/{s}/{n} of 64");
    }
    nat.Cleanup();
    Console.WriteLine("NatPathBenchmarks: every frame forwarded");
    var table = new ConnectionTableBenchmarks { WorkingSet = "Hot" };
    table.Setup();
    for (int i = 0; i < 100_000; i++)
        if (table.LookupInbound() < 0 || table.LookupOutbound() < 0 || table.LookupInboundBatched() != ConnectionTableBenchmarks.Batch || table.LookupOutboundBatched() != ConnectionTableBenchmarks.Batch)
            throw new InvalidOperationException($"lookup {i} missed");
    Console.WriteLine("ConnectionTableBenchmarks: every lookup hit");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
