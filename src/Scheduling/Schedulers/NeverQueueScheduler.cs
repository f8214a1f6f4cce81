namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "nq" scheduler.
public sealed class NeverQueueScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "nq";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
