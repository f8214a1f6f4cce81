namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "lblc" scheduler.
public sealed class LocalityBasedLeastConnectionScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "lblc";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
