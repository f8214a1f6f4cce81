namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "lc" scheduler.
public sealed class LeastConnectionScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "lc";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
