namespace UserLvs.Forwarder.IO;

/// <summary>
/// Geometry and switches of an AF_PACKET port. The RX ring is TPACKET_V3: variable-size frames packed
/// into blocks, so a block must hold the largest frame the interface can deliver (64 KiB GRO/GSO
/// super-frames on veth and with offloads on): 256 KiB blocks hold three. A frame bigger than a
/// block is delivered truncated and counted. The TX ring has fixed slots; with PACKET_VNET_HDR they
/// are large enough for a 64 KiB GSO frame, without it one MTU-sized frame each.
/// </summary>
public sealed record PacketRingOptions(string InterfaceName)
{
    /// <summary>RX block size: a power-of-two multiple of the page size.</summary>
    public int BlockSize { get; init; } = 256 * 1024;

    public int BlockCount { get; init; } = 64;

    /// <summary>How long a partly filled block waits before the kernel hands it over (latency bound
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
