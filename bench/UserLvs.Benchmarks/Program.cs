using BenchmarkDotNet.Running;

// Runs the benchmarks named on the command line, e.g.
//   dotnet run -c Release --project bench/UserLvs.Benchmarks -- --filter '*SchedulerPick*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
