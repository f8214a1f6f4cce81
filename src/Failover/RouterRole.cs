namespace UserLvs.Failover;

/// <summary>
/// The role a router plays in pulse's active/backup pair. Only the active router answers ARP for
/// the floating addresses (VIPs and the NAT router address), forwards and runs nanny.
/// </summary>
public enum RouterRole
{
    /// <summary>Watching the active router's heartbeats, ready to take over.</summary>
    Backup,
    /// <summary>Owns the floating addresses and forwards.</summary>
    Active,
    /// <summary>Told to stand down (an authenticated shutdown) or stopping.</summary>
    Shutdown,
}
