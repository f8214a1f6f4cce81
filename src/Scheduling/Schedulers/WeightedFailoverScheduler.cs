namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "fo" scheduler.
public sealed class WeightedFailoverScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "fo";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
