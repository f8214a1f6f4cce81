namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "ovf" scheduler.
public sealed class WeightedOverflowScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "ovf";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
