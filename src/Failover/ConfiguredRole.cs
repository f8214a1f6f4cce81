namespace UserLvs.Failover;

/// <summary>
/// Which of lvs.cf's two routers this host is: <c>primary</c> or <c>backup</c>. Fixed for the life of
/// the process; the role it plays at a moment (<see cref="RouterRole"/>) changes with failover.
/// </summary>
public enum ConfiguredRole
{
    Primary,
    Backup,
}
