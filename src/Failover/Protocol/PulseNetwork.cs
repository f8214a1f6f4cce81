namespace UserLvs.Failover.Protocol;

/// <summary>
/// The two networks pulse heartbeats over: the public one (lvs.cf primary/backup) always, the
/// private one (primary_private/backup_private) when both are set. An answer on either counts.
/// </summary>
public enum PulseNetwork
{
    Public = 0,
    Private = 1,
}
