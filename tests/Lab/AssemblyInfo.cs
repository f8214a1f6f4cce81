// Lab tests bring up network namespaces and a real daemon each; on a 2-core box they run one at a
// time (one collection, no parallelism) so timings and schedulers' sequences stay undisturbed.
[assembly: CollectionBehavior(DisableTestParallelization = true, MaxParallelThreads = 1)]
