namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "mh" scheduler.
public sealed class MaglevHashingScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "mh";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
