namespace UserLvs.Forwarder.IO;

/// <summary>
/// Per-port counters. Only the owning worker writes them (plain increments, no lock); other threads
/// may read them for metrics (64-bit reads do not tear on the supported platforms).
/// Every frame that is lost or cut on the way through the port lands in one of these.
/// </summary>
public sealed class FrameIoCounters
{
    public long RxFrames;
    public long RxBytes;

    /// <summary>Frames longer than the ring's slot: delivered cut (Length &lt; OriginalLength).</summary>
    public long RxTruncated;

    /// <summary>Frames the kernel (or the in-memory queue) dropped because the ring was full: for
    /// AF_PACKET, PACKET_STATISTICS tp_drops accumulated by <see cref="IFrameIo.ReadKernelStatistics"/>.</summary>
    public long RxDropped;

    /// <summary>TPACKET_V3 only: times the kernel froze the ring because the next block was still
    /// ours (tp_freeze_q_cnt); frames arriving meanwhile are in <see cref="RxDropped"/>.</summary>
    public long RxRingFrozen;

    /// <summary>Times the kernel reported the port's device down (ENETDOWN on the socket); frames
    /// resume by themselves when it comes back up.</summary>
    public long DeviceDown;

    public long TxFrames;
    public long TxBytes;

    /// <summary>AcquireTx found no free buffer.</summary>
    public long TxRingFull;

    /// <summary>Frames dropped because the backend cannot do what their vnet header asks (GSO
    /// without PACKET_VNET_HDR), or because they are longer than the buffer.</summary>
    public long TxUnsupported;

    /// <summary>Send calls that failed with something other than "try again later".</summary>
    public long TxErrors;

    /// <summary>Send calls the kernel deferred (EAGAIN/ENOBUFS); the frames stay queued for the next flush.</summary>
    public long TxDeferred;
}
