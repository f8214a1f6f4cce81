namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "rr" scheduler.
public sealed class RoundRobinScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "rr";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
