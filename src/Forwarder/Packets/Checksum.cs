using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// The Internet checksum (RFC 1071) and its incremental update (RFC 1624), as IPVS uses them
/// (ip_vs_check_diff4/diff2, tcp_fast_csum_update, tcp_partial_csum_update, udp_*_csum_update).
///
///   sum       = ones-complement sum of the data as big-endian 16-bit words (odd tail padded with 0)
///   checksum  = ~fold(sum)
///   update    HC' = ~(~HC + ~m + m')                (RFC 1624 eqn. 3; m, m' old and new field)
///   partial   P'  =   P + ~m + m'                   (the field holds an uncomplemented sum)
///   UDP       a computed 0 is sent as 0xFFFF; a received 0 means "no checksum" and stays 0
///
/// Cost: a full sum reads 8 bytes per step, summing the two native 32-bit halves into a 64-bit
/// accumulator (no carry can be lost below 2^32 steps) and byte-swapping the folded result once
/// (the sum is byte-order independent, RFC 1071 §2(B)); an update is O(1), a few adds.
/// Every result of eqn. 3 lies in 0..0xFFFE, like a fresh checksum of non-zero data, so
/// incremental and fresh checksums agree bit for bit, not just modulo 0xFFFF.
/// </summary>
public static class Checksum
{
    /// <summary>The ones-complement sum of <paramref name="data"/>, folded to 16 bits, not complemented.</summary>
    public static ushort Sum(ReadOnlySpan<byte> data)
    {
        ushort folded = Fold(SumNative(data));
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded;
    }

    /// <summary>The checksum of <paramref name="data"/> (whose checksum field must be 0): ~Sum.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Sum(data);

    /// <summary>True when data that includes its own checksum field sums to 0xFFFF (negative zero).</summary>
    public static bool Verify(ReadOnlySpan<byte> data) => Sum(data) == 0xFFFF;

    /// <summary>Folds a wide sum to 16 bits with end-around carries. Only 0 folds to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);   // <= 0x1_FFFF_FFFE
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);   // <= 0xFFFF_FFFF
        sum = (sum & 0xFFFF) + (sum >> 16);        // <= 0x1_FFFE
        sum = (sum & 0xFFFF) + (sum >> 16);        // <= 0xFFFF
        return (ushort)sum;
    }

    /// <summary>The unfolded sum of the TCP/UDP pseudo-header: source, destination, zero+protocol, length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint PseudoHeaderSum(IPv4Address source, IPv4Address destination, byte protocol, int length) =>
        (source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16) + (destination.Value & 0xFFFF)
        + protocol + (uint)(ushort)length;

    /// <summary>
    /// A fresh TCP/UDP checksum over pseudo-header and <paramref name="segment"/> (header + payload,
    /// checksum field 0). For UDP a result of 0 becomes 0xFFFF (RFC 768: 0 means "none").
    /// </summary>
    public static ushort ComputeTransport(IPv4Address source, IPv4Address destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        ushort checksum = (ushort)~Fold((ulong)PseudoHeaderSum(source, destination, protocol, segment.Length) + Sum(segment));
        return protocol == IpProtocol.Udp ? NonZeroForUdp(checksum) : checksum;
    }

    /// <summary>True when a TCP/UDP segment with its checksum field in place verifies.</summary>
    public static bool VerifyTransport(IPv4Address source, IPv4Address destination, byte protocol, ReadOnlySpan<byte> segment) =>
        Fold((ulong)PseudoHeaderSum(source, destination, protocol, segment.Length) + Sum(segment)) == 0xFFFF;

    /// <summary>RFC 1624 eqn. 3 for one changed 16-bit field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update16(ushort checksum, ushort oldValue, ushort newValue) =>
        (ushort)~Fold((ulong)(ushort)~checksum + (ushort)~oldValue + newValue);

    /// <summary>RFC 1624 eqn. 3 for one changed 32-bit field (an IPv4 address): two 16-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update32(ushort checksum, uint oldValue, uint newValue) =>
        (ushort)~Fold((ulong)(ushort)~checksum + Difference32(oldValue, newValue));

    /// <summary>RFC 1624 eqn. 3 for an address and a port changed together (the NAT case): one fold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update48(ushort checksum, uint oldAddress, uint newAddress, ushort oldPort, ushort newPort) =>
        (ushort)~Fold((ulong)(ushort)~checksum + Difference32(oldAddress, newAddress) + (ushort)~oldPort + newPort);

    /// <summary>
    /// Updates a partial (CHECKSUM_PARTIAL) field for a changed pseudo-header address. The field is
    /// an uncomplemented sum, so the difference is added, not folded into a complement
    /// (IPVS's tcp_partial_csum_update: ~csum_fold(diff4(old, new, csum_unfold(check)))).
    /// Port changes must NOT be applied here: ports live in the TCP/UDP header, which is summed as
    /// it stands when the checksum is completed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort UpdatePartial32(ushort partial, uint oldValue, uint newValue) =>
        Fold((ulong)partial + Difference32(oldValue, newValue));

    /// <summary>UDP's rule for a computed checksum: 0 would mean "no checksum", so send 0xFFFF (same value in ones complement).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort NonZeroForUdp(ushort checksum) => checksum == 0 ? (ushort)0xFFFF : checksum;

    /// <summary>
    /// Finishes a CHECKSUM_PARTIAL segment the way the kernel's skb_checksum_help does: sums the
    /// TCP/UDP header and payload with the field as it stands (it already holds the pseudo-header
    /// sum), complements, and writes the result into the field at <paramref name="checksumOffset"/>.
    /// </summary>
    public static void CompletePartial(Span<byte> segment, int checksumOffset, bool isUdp)
    {
        ushort checksum = (ushort)~Sum(segment);
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(checksumOffset, 2), isUdp ? NonZeroForUdp(checksum) : checksum);
    }

    /// <summary>Completes a partial TCP checksum over the whole segment (header + payload).</summary>
    public static void CompletePartial(TcpHeader tcp) => CompletePartial(tcp.Segment, TcpHeader.ChecksumOffset, isUdp: false);

    /// <summary>Completes a partial UDP checksum over the datagram (UDP length bytes).</summary>
    public static void CompletePartial(UdpHeader udp) => CompletePartial(udp.Datagram, UdpHeader.ChecksumOffset, isUdp: true);

    // ~m + m' for a 32-bit field, as two 16-bit words each; at most 4 * 0xFFFF.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Difference32(uint oldValue, uint newValue) =>
        (ulong)(~oldValue >> 16) + (~oldValue & 0xFFFF) + (newValue >> 16) + (newValue & 0xFFFF);

    // Sum in the machine's byte order; the caller swaps the folded result on little-endian machines.
    private static ulong SumNative(ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        ulong a = 0, b = 0;

        // Two accumulators let the two 8-byte loads of one step add in parallel.
        for (; i + 16 <= length; i += 16)
        {
            ulong w0 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            ulong w1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 8));
            a += (uint)w0 + (w0 >> 32);
            b += (uint)w1 + (w1 >> 32);
        }
        ulong sum = a + b;   // each below 2^50 for any span: no overflow
        if (i + 8 <= length)
        {
            ulong w = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            sum += (uint)w + (w >> 32);
            i += 8;
        }
        if (i + 4 <= length)
        {
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
            i += 4;
        }
        if (i + 2 <= length)
        {
            sum += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, i));
            i += 2;
        }
        if (i < length)
        {
            // The odd last byte is the high byte of a zero-padded big-endian word: in little-endian
            // order that word reads as the byte itself.
            uint last = Unsafe.Add(ref start, i);
            sum += BitConverter.IsLittleEndian ? last : last << 8;
        }
        return sum;
    }
}
