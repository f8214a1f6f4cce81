namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "sed" scheduler.
public sealed class ShortestExpectedDelayScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "sed";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
