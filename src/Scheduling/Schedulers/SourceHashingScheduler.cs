namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "sh" scheduler.
public sealed class SourceHashingScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "sh";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
