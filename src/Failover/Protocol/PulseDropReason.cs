namespace UserLvs.Failover.Protocol;

/// <summary>
/// Why a received datagram was dropped. Every drop is counted by reason (FailoverStatus.Drops); a
/// dropped datagram never counts as a sign of life and never changes the router's role.
/// </summary>
public enum PulseDropReason
{
    /// <summary>Shorter than a header plus MAC, or shorter than its own payload length says.</summary>
    Truncated,
    /// <summary>Does not start with "PL": not pulse traffic at all.</summary>
    BadMagic,
    /// <summary>A protocol version this router does not speak.</summary>
    BadVersion,
    /// <summary>Longer than its payload length says, or a payload on a message that has none.</summary>
    BadLength,
    /// <summary>The HMAC-SHA256 does not match: wrong key, or bytes changed on the way.</summary>
    BadMac,
    /// <summary>Authenticated, but an unknown message type.</summary>
    BadType,
    /// <summary>Authenticated, but an unknown sender state.</summary>
    BadState,
    /// <summary>The sender address is not the peer's address on the network it arrived on.</summary>
    WrongSender,
    /// <summary>The sender claims the primary/backup role this router's lvs.cf gives to the other one.</summary>
    RoleMismatch,
    /// <summary>Sequence not above the highest already seen from that boot on that network.</summary>
    Replayed,
    /// <summary>An unknown boot with a timestamp outside the freshness window, or the peer's previous boot.</summary>
    StaleBoot,
}
