namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "dh" scheduler.
public sealed class DestinationHashingScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "dh";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
