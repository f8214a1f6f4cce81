namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "wrr" scheduler.
public sealed class WeightedRoundRobinScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "wrr";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
