namespace UserLvs.Scheduling;

/// <summary>
/// The periodic timer of an lblc/lblcr cache (IPVS's tbl->periodic_timer), one per scheduler
/// instance, from the injected clock so tests drive it with a fake one. It fires every
/// CHECK_EXPIRE_INTERVAL and runs <see cref="DestinationTable{TPayload}.CheckExpire"/>.
///
/// The first tick is aligned with the table's schedule, so a scheduler that takes a table over
/// (a table change keeps the cache, as IPVS does) keeps IPVS's one-minute rhythm. The timer
/// holds the table only weakly: a scheduler that is dropped without Dispose does not keep its
/// cache alive, and its timer stops itself at the next tick. Cost: nothing per pick.
/// </summary>
internal static class CollectionTimer
{
    public static ITimer Start<TPayload>(TimeProvider clock, DestinationTable<TPayload> table) where TPayload : struct
    {
        var state = new State<TPayload>(clock, new WeakReference<DestinationTable<TPayload>>(table));
        var timer = clock.CreateTimer(static s => ((State<TPayload>)s!).Tick(), state,
            table.DueIn(clock), DestinationTable<TPayload>.CheckExpireInterval);
        state.Timer = timer;
        return timer;
    }

    private sealed class State<TPayload>(TimeProvider clock, WeakReference<DestinationTable<TPayload>> table)
        where TPayload : struct
    {
        public ITimer? Timer;

        public void Tick()
        {
            if (table.TryGetTarget(out var target)) target.CheckExpire(clock.GetTimestamp());
            else Timer?.Dispose();
        }
    }
}
