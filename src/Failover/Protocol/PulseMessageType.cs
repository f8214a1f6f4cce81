namespace UserLvs.Failover.Protocol;

/// <summary>
/// What a pulse datagram says. The numbers are on the wire (byte 3 of the header) and never change
/// meaning within one protocol version.
/// </summary>
public enum PulseMessageType : byte
{
    /// <summary>"Are you alive?" Sent every keepalive on every heartbeat network; always answered.</summary>
    Heartbeat = 1,
    /// <summary>The answer to a heartbeat; its sender state says whether the sender is active.</summary>
    HeartbeatReply = 2,
    /// <summary>Fencing: "stand down now". Sent by a router that takes over after deadtime.</summary>
    Shutdown = 3,
    /// <summary>Failback: the router with the better right asks the active one to release.</summary>
    TakeoverRequest = 4,
    /// <summary>"I have stopped forwarding": sent only after the sender became standby.</summary>
    Release = 5,
    /// <summary>Connection-sync entries (opaque, encoded by the forwarder side) from the active router.</summary>
    SyncBatch = 6,
}
