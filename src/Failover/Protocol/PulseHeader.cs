using UserLvs.Scheduling;

namespace UserLvs.Failover.Protocol;

/// <summary>
/// The fields of one pulse datagram apart from its payload and MAC (see <see cref="PulseWireFormat"/>).
/// </summary>
/// <param name="Type">What the message says.</param>
/// <param name="SenderState">The sender's role when it sent the message (active or not).</param>
/// <param name="Flags">Who the sender is: the configured primary, started with --force-active.</param>
/// <param name="Sender">The sender's own address on the network the message is sent on.</param>
/// <param name="BootId">Random per start of the sender, so a restarted router is a new stream.</param>
/// <param name="Sequence">Monotonic per boot, starting at 1, one per datagram sent.</param>
/// <param name="TimestampMs">Sender wall clock, Unix milliseconds; checked only for a new boot.</param>
public readonly record struct PulseHeader(
    PulseMessageType Type,
    RouterRole SenderState,
    PulseFlags Flags,
    IPv4Address Sender,
    ulong BootId,
    ulong Sequence,
    long TimestampMs);

/// <summary>Who the sender is; part of the authenticated header.</summary>
[Flags]
public enum PulseFlags : byte
{
    None = 0,
    /// <summary>The sender is lvs.cf's primary router (otherwise the backup).</summary>
    Primary = 1,
    /// <summary>The sender was started with --force-active: it holds the better right to be active.</summary>
    ForceActive = 2,
}
