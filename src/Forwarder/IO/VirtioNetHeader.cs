using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace UserLvs.Forwarder.IO;

/// <summary>virtio_net_hdr flags.</summary>
[Flags]
public enum VirtioNetHeaderFlags : byte
{
    None = 0,
    /// <summary>VIRTIO_NET_HDR_F_NEEDS_CSUM: checksum bytes [CsumStart..] and store at CsumStart+CsumOffset.</summary>
    NeedsChecksum = 1,
    /// <summary>VIRTIO_NET_HDR_F_DATA_VALID: the checksum has been verified.</summary>
    DataValid = 2,
}

/// <summary>virtio_net_hdr gso_type values.</summary>
public enum VirtioGsoType : byte
{
    None = 0,
    TcpV4 = 1,
    Udp = 3,
    TcpV6 = 4,
    UdpL4 = 5,
    Ecn = 0x80,
}

/// <summary>
/// struct virtio_net_hdr (10 bytes, little-endian on the hosts we run on): the offload state that
/// PACKET_VNET_HDR carries in front of each frame. On receive it says "this is a GSO super-frame of
/// GsoSize segments" or "the checksum is unfinished"; on transmit it asks the kernel to finish the
/// same work, so a forwarder can pass 64 KiB GRO frames through without segmenting them itself.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct VirtioNetHeader : IEquatable<VirtioNetHeader>
{
    public const int Size = 10;

    public VirtioNetHeaderFlags Flags;
    public VirtioGsoType GsoType;
    /// <summary>Length of the headers to copy into every segment (Ethernet + IP + L4).</summary>
    public ushort HeaderLength;
    /// <summary>Payload bytes per segment (the MSS for TCP).</summary>
    public ushort GsoSize;
    public ushort ChecksumStart;
    public ushort ChecksumOffset;

    public readonly bool IsEmpty => Flags == VirtioNetHeaderFlags.None && GsoType == VirtioGsoType.None;

    public readonly bool NeedsChecksum => (Flags & VirtioNetHeaderFlags.NeedsChecksum) != 0;

    public readonly bool IsGso => (GsoType & ~VirtioGsoType.Ecn) != VirtioGsoType.None;

    /// <summary>
    /// Does in software what NEEDS_CSUM asks of the kernel: the 16-bit field at
    /// CsumStart+CsumOffset holds the pseudo-header sum (CHECKSUM_PARTIAL convention); add every byte
    /// from CsumStart on, fold, complement, store. Returns false when the offsets lie outside the frame.
    /// </summary>
    public readonly bool TryCompleteChecksum(Span<byte> frame)
    {
        int start = ChecksumStart;
        int field = start + ChecksumOffset;
        if (start >= frame.Length || field + 2 > frame.Length)
        {
            return false;
        }

        ulong sum = 0;
        ReadOnlySpan<byte> data = frame[start..];
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        ushort result = (ushort)~sum;
        // UDP sends a computed 0 as 0xffff (0 means "no checksum"); TCP never reaches 0 from ~sum
        // of a non-empty segment in practice, and 0xffff is equivalent in ones' complement.
        if (result == 0)
        {
            result = 0xffff;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame[field..], result);
        return true;
    }

    public readonly bool Equals(VirtioNetHeader other) =>
        Flags == other.Flags && GsoType == other.GsoType && HeaderLength == other.HeaderLength &&
        GsoSize == other.GsoSize && ChecksumStart == other.ChecksumStart && ChecksumOffset == other.ChecksumOffset;

    public override readonly bool Equals(object? obj) => obj is VirtioNetHeader other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Flags, GsoType, HeaderLength, GsoSize, ChecksumStart, ChecksumOffset);

    public override readonly string ToString() =>
        $"vnet(flags={Flags}, gso={GsoType}, hdr_len={HeaderLength}, gso_size={GsoSize}, csum_start={ChecksumStart}, csum_offset={ChecksumOffset})";

    public static bool operator ==(VirtioNetHeader left, VirtioNetHeader right) => left.Equals(right);

    public static bool operator !=(VirtioNetHeader left, VirtioNetHeader right) => !left.Equals(right);
}
