namespace UserLvs.Control;

/// <summary>
/// Control protocol: what `userlvs-adm --status` shows — this router's pulse role, its peer, the
/// connection sync daemon and nanny's verdict on every real server it checks. Not an ipvsadm
/// operation (IPVS has no failover or health checks); its layout is ours.
/// </summary>
/// <param name="Mode">"standalone" (heartbeat = 0), "primary" or "backup": which lvs.cf router this is.</param>
/// <param name="Role">"active", "backup" or "shutdown".</param>
/// <param name="RoleSince">When the current role began.</param>
/// <param name="Reason">Why the last transition happened ("started", "no heartbeat reply for 30 ms", ...).</param>
/// <param name="Transitions">Role changes since the daemon started.</param>
public sealed record RouterStatus(
    string Mode,
    string Role,
    DateTimeOffset RoleSince,
    string Reason,
    int Transitions,
    PeerStatus? Peer,
    SyncStatus? Sync,
    IReadOnlyList<RealServerStatus> RealServers)
{
    /// <summary>
    /// Times this router found its own heartbeat clock had stood still (a GC pause, a starved CPU) and
    /// gave the peer extra time instead of declaring it dead; shown only when not 0.
    /// </summary>
    public long Stalls { get; init; }
}

/// <summary>The other router of the pair, as this one's heartbeats see it.</summary>
/// <param name="LastHeardSecondsAgo">Seconds since an authenticated message came from it; null if never.</param>
/// <param name="HeardOn">The networks ("public", "private") it was last heard on.</param>
/// <param name="Rejected">Messages dropped before reaching the state machine, by reason (forged, replayed, malformed...).</param>
public sealed record PeerStatus(
    string Address,
    double? LastHeardSecondsAgo,
    IReadOnlyList<string> HeardOn,
    IReadOnlyDictionary<string, long> Rejected);

/// <summary>The connection sync daemon (lvs.cf syncdaemon = 1): "master" on the active router, "backup" on the other.</summary>
public sealed record SyncStatus(string State, string Interface, int SyncId, long Sent, long Received, long Dropped);

/// <summary>One nanny monitor: a real server of a virtual service and what its checks say.</summary>
/// <param name="State">"up", "down" (taken out of the table), "quiesced" (weight 0), "sorry" (the sorry server in use).</param>
/// <param name="Reason">The last check's verdict ("ok", "connection refused", ...).</param>
public sealed record RealServerStatus(ServiceKey Service, string Address, ushort Port, string State, string Reason, DateTimeOffset Since);
