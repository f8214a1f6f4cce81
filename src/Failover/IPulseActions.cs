using UserLvs.Failover.Protocol;

namespace UserLvs.Failover;

/// <summary>
/// What the pulse state machine asks of the world. It calls these synchronously, in the order that
/// makes failover safe (a router stops forwarding before it tells its peer it has stopped), from
/// whichever thread drives it; implementations must be quick and must not call back into the machine.
/// </summary>
public interface IPulseActions
{
    /// <summary>Send one datagram to the peer on that network (fire and forget, UDP).</summary>
    void Send(PulseNetwork network, ReadOnlySpan<byte> datagram);

    /// <summary>Take over the floating addresses (answer ARP, gratuitous ARP) and start forwarding and nanny.</summary>
    void BecomeActive();

    /// <summary>Stop forwarding and stop answering ARP for the floating addresses, now.</summary>
    void BecomeStandby();

    /// <summary>Already active: send gratuitous ARP for every floating address again (after a split brain).</summary>
    void Reannounce();

    /// <summary>Start lvs.cf's active_cmd, if any (must not wait for it).</summary>
    void RunActiveCommand();

    /// <summary>Start lvs.cf's inactive_cmd, if any (must not wait for it).</summary>
    void RunInactiveCommand();

    /// <summary>An authenticated connection-sync payload from the active peer; copy it before returning.</summary>
    void SyncBatchReceived(ReadOnlySpan<byte> payload);

    /// <summary>The role changed (for logs, metrics and status).</summary>
    void Transitioned(FailoverTransition transition);
}
