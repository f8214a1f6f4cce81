namespace UserLvs.Forwarder.IO;

/// <summary>
/// One received frame: a pointer into the backend's ring (no copy) plus its metadata. Valid until the
/// port's ReleaseReceived; reading it later reads memory the kernel may be refilling.
/// Length is what the ring holds, OriginalLength what was on the wire: they differ only when the
/// frame did not fit the slot, and that is always visible here and counted.
/// </summary>
public readonly unsafe struct RxFrame
{
    private readonly byte* _data;

    internal RxFrame(byte* data, int length, int originalLength, RxFrameFlags flags, ushort vlanTci, in VirtioNetHeader vnet)
    {
        _data = data;
        Length = length;
        OriginalLength = originalLength;
        Flags = flags;
        VlanTci = vlanTci;
        Vnet = vnet;
    }

    /// <summary>The frame's bytes from the Ethernet header on, writable for in-place rewriting.</summary>
    public Span<byte> Data => new(_data, Length);

    /// <summary>Bytes captured (tp_snaplen).</summary>
    public int Length { get; }

    /// <summary>Bytes on the wire (tp_len); larger than <see cref="Length"/> only when truncated.</summary>
    public int OriginalLength { get; }

    public RxFrameFlags Flags { get; }

    /// <summary>The 802.1Q tag the kernel removed, when <see cref="RxFrameFlags.VlanValid"/>.</summary>
    public ushort VlanTci { get; }

    /// <summary>The virtio_net_hdr, when <see cref="RxFrameFlags.HasVnetHeader"/>; otherwise empty.</summary>
    public VirtioNetHeader Vnet { get; }

    public bool IsTruncated => Length < OriginalLength;

    public bool ChecksumNotReady => (Flags & RxFrameFlags.ChecksumNotReady) != 0;
}
