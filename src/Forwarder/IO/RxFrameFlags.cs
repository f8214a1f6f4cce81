namespace UserLvs.Forwarder.IO;

/// <summary>What the backend knows about a received frame beyond its bytes (from tp_status).</summary>
[Flags]
public enum RxFrameFlags : byte
{
    None = 0,

    /// <summary>TP_STATUS_CSUMNOTREADY: the L4 checksum is unfinished (CHECKSUM_PARTIAL, typical of
    /// locally generated traffic on veth); the checksum field holds only the pseudo-header sum.</summary>
    ChecksumNotReady = 1 << 0,

    /// <summary>TP_STATUS_CSUM_VALID: the kernel (or NIC) has verified the L4 checksum.</summary>
    ChecksumValid = 1 << 1,

    /// <summary>TP_STATUS_VLAN_VALID: the kernel took an 802.1Q tag off the frame; see
    /// <see cref="RxFrame.VlanTci"/>.</summary>
    VlanValid = 1 << 2,

    /// <summary>The frame carries a virtio_net_hdr (<see cref="RxFrame.Vnet"/>).</summary>
    HasVnetHeader = 1 << 3,
}
