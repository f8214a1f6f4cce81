namespace UserLvs.Forwarder.Packets;

/// <summary>
/// What a frame's TCP/UDP checksum field holds, as told by the packet I/O backend (the kernel's
/// skb->ip_summed, seen from AF_PACKET as TP_STATUS_CSUMNOTREADY).
/// </summary>
public enum ChecksumStatus : byte
{
    /// <summary>A final checksum over pseudo-header, header and payload (or 0 for UDP without checksum).</summary>
    Complete = 0,

    /// <summary>
    /// CHECKSUM_PARTIAL: the sender left the work to "hardware". The field holds the folded,
    /// uncomplemented pseudo-header sum (~tcp_v4_check(len, saddr, daddr, 0)); the ports and payload
    /// are summed only when the checksum is completed (<see cref="Checksum.CompletePartial(Span{byte}, int, bool)"/>).
    /// </summary>
    Partial = 1,
}
