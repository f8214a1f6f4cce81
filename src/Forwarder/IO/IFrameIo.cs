namespace UserLvs.Forwarder.IO;

/// <summary>
/// A port: one network interface as one worker sees it. Batches in, batches out, no copy on receive.
///
///   wait:     WaitForReceive(timeout)            sleep in poll(2) until frames or the timeout
///   receive:  n = Receive(frames)                spans into the backend's ring, valid until ReleaseReceived
///   release:  ReleaseReceived()                  hand the batch's memory back (to the kernel)
///   send:     buf = AcquireTx(); write; CommitTx(len, vnet)   repeat, then
///             FlushTx()                          one syscall for the whole batch
///
/// A port belongs to one thread: no method is thread-safe, none allocates or throws per frame.
/// Frames larger than the backend's slot are never cut silently: <see cref="RxFrame.IsTruncated"/>
/// is set and <see cref="FrameIoCounters.RxTruncated"/> counts them.
/// </summary>
public interface IFrameIo : IDisposable
{
    /// <summary>The interface (or file, or in-memory port) name, for logs and errors.</summary>
    string Name { get; }

    /// <summary>True when received frames carry a virtio_net_hdr and <see cref="CommitTx"/> hands
    /// one to the kernel (AF_PACKET with PACKET_VNET_HDR): GSO super-frames and unfinished checksums
    /// then cross the port intact and the kernel finishes them on transmit.</summary>
    bool HasVnetHeader { get; }

    FrameIoCounters Counters { get; }

    /// <summary>Blocks until frames are ready or <paramref name="timeoutMilliseconds"/> passes
    /// (0 = just check, -1 = forever). A worker loops on it so it sleeps when idle and notices a stop
    /// request within one timeout.</summary>
    bool WaitForReceive(int timeoutMilliseconds);

    /// <summary>Fills <paramref name="frames"/> with ready frames without blocking; returns how many.
    /// Their memory stays valid (and writable, for in-place rewriting) until <see cref="ReleaseReceived"/>.</summary>
    int Receive(Span<RxFrame> frames);

    /// <summary>Returns the memory of every frame received so far to the backend.</summary>
    void ReleaseReceived();

    /// <summary>A free transmit buffer of the backend's largest frame size, or an empty span when all
    /// are in flight (flush, then try again, or drop and count).</summary>
    Span<byte> AcquireTx();

    /// <summary>Queues the first <paramref name="length"/> bytes of the buffer from
    /// <see cref="AcquireTx"/>. A non-empty <paramref name="vnet"/> asks for checksum completion or
    /// segmentation on transmit; backends without vnet support finish a checksum in software and drop
    /// (and count) a GSO frame. False when the frame was refused (counted in <see cref="Counters"/>):
    /// the caller must not count it as sent.</summary>
    bool CommitTx(int length, in VirtioNetHeader vnet = default);

    /// <summary>Sends every committed frame; one syscall for the batch. Returns the frames handed over.</summary>
    int FlushTx();

    /// <summary>Folds the backend's own loss accounting (the kernel's PACKET_STATISTICS, which resets
    /// on read) into <see cref="Counters"/>. A syscall, not for the per-frame path: the owning thread
    /// calls it now and then and once before the port closes. Backends that count as they go need
    /// nothing.</summary>
    void ReadKernelStatistics()
    {
    }
}
