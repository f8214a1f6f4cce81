namespace UserLvs.Scheduling;

// PLACEHOLDER: being written; replaced by the real "twos" scheduler.
public sealed class WeightedRandomTwoChoicesScheduler(SchedulerContext context) : IScheduler
{
    public string Name => "twos";
    public RealServer? Pick(in SchedulingRequest request) => context.Servers.Count == 0 ? null : throw new NotImplementedException();
}
