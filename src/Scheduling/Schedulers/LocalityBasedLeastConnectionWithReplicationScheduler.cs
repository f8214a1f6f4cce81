namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "lblcr" scheduler.
public sealed class LocalityBasedLeastConnectionWithReplicationScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "lblcr";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
