using System.Buffers.Binary;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>RFC 1071 the slow way, on raw frame bytes: what every output checksum must equal.</summary>
internal static class Reference
{
    /// <summary>~(16-bit big-endian word sum, odd byte padded, carries folded) of <paramref name="data"/>.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data) => (ushort)~Sum(data, 0);

    /// <summary>The folded, uncomplemented sum, starting from <paramref name="initial"/>.</summary>
    public static ushort Sum(ReadOnlySpan<byte> data, ulong initial)
    {
        ulong sum = initial;
        for (int i = 0; i < data.Length; i += 2)
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    public static int IpOffset(byte[] frame) => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == 0x8100 ? 18 : 14;

    public static int TransportOffset(byte[] frame)
    {
        int ip = IpOffset(frame);
        return ip + (frame[ip] & 0x0F) * 4;
    }

    /// <summary>The IPv4 header checksum computed afresh over the header with its checksum field zeroed.</summary>
    public static ushort IpHeaderChecksum(byte[] frame)
    {
        int ip = IpOffset(frame);
        var header = frame.AsSpan(ip, (frame[ip] & 0x0F) * 4).ToArray();
        header[10] = header[11] = 0;
        return Checksum(header);
    }

    /// <summary>The folded, uncomplemented pseudo-header sum (source, destination, protocol, TCP/UDP length).</summary>
    public static ushort PseudoHeaderSum(byte[] frame)
    {
        int ip = IpOffset(frame);
        var pseudo = new byte[12];
        frame.AsSpan(ip + 12, 8).CopyTo(pseudo);
        pseudo[9] = frame[ip + 9];
        int length = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(ip + 2)) - (frame[ip] & 0x0F) * 4;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)length);
        return Sum(pseudo, 0);
    }

    public static int ChecksumOffset(byte protocol) => protocol switch { 6 => 16, 17 => 6, _ => 2 };

    /// <summary>The TCP/UDP checksum computed afresh over pseudo-header and segment (UDP: 0 is sent as 0xFFFF).</summary>
    public static ushort TransportChecksum(byte[] frame)
    {
        int ip = IpOffset(frame);
        int transport = TransportOffset(frame);
        byte protocol = frame[ip + 9];
        int end = ip + BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(ip + 2));
        var segment = frame.AsSpan(transport, end - transport).ToArray();
        segment[ChecksumOffset(protocol)] = segment[ChecksumOffset(protocol) + 1] = 0;
        ushort checksum = (ushort)~Sum(segment, PseudoHeaderSum(frame));
        return protocol == 17 && checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    /// <summary>
    /// Turns a frame's TCP/UDP checksum into what a CHECKSUM_PARTIAL sender leaves there: the folded
    /// pseudo-header sum for the frame's addresses, not complemented (~tcp_v4_check(len, s, d, 0)).
    /// </summary>
    public static void MakePartial(byte[] frame)
    {
        int ip = IpOffset(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(TransportOffset(frame) + ChecksumOffset(frame[ip + 9])), PseudoHeaderSum(frame));
    }

    public static ushort TransportChecksumField(byte[] frame)
    {
        int ip = IpOffset(frame);
        return BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(TransportOffset(frame) + ChecksumOffset(frame[ip + 9])));
    }

    /// <summary>Rewrites the IPv4 header checksum after a test has edited the header.</summary>
    public static void FixIpHeaderChecksum(byte[] frame)
    {
        int ip = IpOffset(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 10), IpHeaderChecksum(frame));
    }
}
