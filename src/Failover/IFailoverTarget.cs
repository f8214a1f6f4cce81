namespace UserLvs.Failover;

/// <summary>
/// The data-plane side of failover, built by the forwarder and wired by the daemon: the standby
/// switch, ARP for the floating addresses (every VIP and the nat_router address), gratuitous ARP,
/// and the connection-sync import. <see cref="PulseService"/> calls these under its lock, in the
/// order the state machine decides; each must return quickly (start gratuitous ARP, do not wait
/// for its repeats).
/// </summary>
public interface IFailoverTarget
{
    /// <summary>Answer ARP for the floating addresses, send gratuitous ARP, forward, start nanny.</summary>
    void BecomeActive();

    /// <summary>Stop forwarding and stop answering ARP for the floating addresses before returning.</summary>
    void BecomeStandby();

    /// <summary>Send gratuitous ARP for every floating address again.</summary>
    void Reannounce();

    /// <summary>Connection entries from the active peer (copy the span; it is reused).</summary>
    void SyncBatchReceived(ReadOnlySpan<byte> payload);
}
