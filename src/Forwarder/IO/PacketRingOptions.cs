namespace UserLvs.Forwarder.IO;

/// <summary>
/// Geometry and switches of an AF_PACKET port.
///   RX, <see cref="RxRingVersion.V2"/> (default): <see cref="RxFrameCount"/> fixed slots of
///       <see cref="RxFrameSize"/> bytes, each handed over as it fills. Frames larger than a slot (64 KiB
///       GRO/GSO super-frames on veth) are cut in the slot and queued whole on the socket, whose receive
///       buffer (<see cref="ReceiveBufferBytes"/>) bounds how many wait; the port reads them into one of
///       <see cref="SpillBuffers"/> buffers of <see cref="SpillBufferSize"/> bytes. Only when that queue
///       is full is a frame delivered cut, and counted.
///   RX, <see cref="RxRingVersion.V3"/>: variable-size frames packed into <see cref="BlockCount"/> blocks
///       of <see cref="BlockSize"/>; a block must hold the largest frame (256 KiB blocks hold three
///       64 KiB super-frames). A frame bigger than a block is delivered cut and counted.
///   TX: fixed slots; with PACKET_VNET_HDR large enough for a 64 KiB GSO frame, without it one
///       MTU-sized frame each.
/// </summary>
public sealed record PacketRingOptions(string InterfaceName)
{
    public RxRingVersion RxRing { get; init; } = RxRingVersion.V2;

    /// <summary>V2 RX slot size, a multiple of 16; 2 KiB holds an MTU-sized frame after the headers.</summary>
    public int RxFrameSize { get; init; } = 2048;

    /// <summary>V2 RX slots (16 MiB of ring by default, as the V3 default).</summary>
    public int RxFrameCount { get; init; } = 8192;

    /// <summary>V2: buffers for frames larger than a slot, usable in one batch (a batch stops early
    /// when they run out and continues after ReleaseReceived).</summary>
    public int SpillBuffers { get; init; } = 16;

    /// <summary>V2: bytes per spill buffer (virtio_net_hdr + frame): a 64 KiB GSO frame fits.</summary>
    public int SpillBufferSize { get; init; } = 128 * 1024;

    /// <summary>V2: the socket receive buffer (SO_RCVBUFFORCE) that bounds the queue of whole copies of
    /// oversized frames; the kernel doubles it for bookkeeping.</summary>
    public int ReceiveBufferBytes { get; init; } = 4 << 20;

    /// <summary>V3 RX block size: a power-of-two multiple of the page size.</summary>
    public int BlockSize { get; init; } = 256 * 1024;

    /// <summary>V3 RX blocks.</summary>
    public int BlockCount { get; init; } = 64;

    /// <summary>V3: how long a partly filled block waits before the kernel hands it over (latency bound
    /// at low rates).</summary>
    public int BlockTimeoutMilliseconds { get; init; } = 1;

    /// <summary>TX slot size; 0 chooses 2 KiB, or 128 KiB with <see cref="VnetHeader"/>.</summary>
    public int TxFrameSize { get; init; }

    /// <summary>TX slots; 0 chooses 512, or 64 with <see cref="VnetHeader"/>.</summary>
    public int TxFrameCount { get; init; }

    /// <summary>PACKET_VNET_HDR: offload metadata in and out (GSO super-frames, unfinished checksums).</summary>
    public bool VnetHeader { get; init; }

    /// <summary>PACKET_QDISC_BYPASS: transmit straight to the driver.</summary>
    public bool QdiscBypass { get; init; } = true;

    /// <summary>PACKET_IGNORE_OUTGOING: do not see our own (or the host's) transmitted frames.</summary>
    public bool IgnoreOutgoing { get; init; } = true;

    public FanoutGroup? Fanout { get; init; }

    internal int EffectiveTxFrameSize => TxFrameSize > 0 ? TxFrameSize : VnetHeader ? 128 * 1024 : 2048;

    internal int EffectiveTxFrameCount => TxFrameCount > 0 ? TxFrameCount : VnetHeader ? 64 : 512;
}
