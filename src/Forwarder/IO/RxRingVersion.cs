namespace UserLvs.Forwarder.IO;

/// <summary>
/// The layout of an AF_PACKET RX ring, which decides when frames reach userspace.
///   V2: fixed slots, one status word per frame: the kernel hands each frame over as it lands and wakes
///       poll(2) per frame, so a lone request is seen at once. A frame bigger than its slot is cut in
///       the slot and its whole copy queued on the socket (TP_STATUS_COPY), read with recv(2).
///   V3: variable-size frames packed into blocks, one status word per block: cheaper per frame at high
///       rates, but a block reaches userspace only when full or when its retire timer (&gt;= 1 ms) fires,
///       which adds up to that timer to every packet of a quiet flow.
/// TPACKET_VERSION is per socket, so the TX ring uses the same version's header.
/// </summary>
public enum RxRingVersion
{
    V2,
    V3,
}
