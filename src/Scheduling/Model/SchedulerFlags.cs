namespace UserLvs.Scheduling;

/// <summary>
/// IPVS's three per-service scheduler flags (IP_VS_SVC_F_SCHED1..3). Their meaning belongs to the
/// scheduler: for sh and mh, flag-1 is "fallback" and flag-2 is "port".
/// </summary>
[Flags]
public enum SchedulerFlags : byte
{
    None = 0,
    Flag1 = 1,
    Flag2 = 2,
    Flag3 = 4,
}
