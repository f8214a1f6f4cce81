using System.Buffers.Binary;
using System.Net;

namespace UserLvs.LabTraffic;

/// <summary>
/// One Ethernet/IPv4/UDP frame, written whole with correct checksums, so the path under test sees
/// exactly what a real client sends (no partial checksums, no offload metadata):
///
///   Ethernet 14 | IPv4 20 (no options, TTL 64) | UDP 8 | payload (zeros after a tag)
///
/// A 64-byte frame is 22 bytes of payload. The IPv4 header checksum is the ones' complement sum of
/// the header (RFC 791); the UDP checksum covers the pseudo-header, header and payload (RFC 768),
/// with 0 sent as 0xffff. Written once per TX slot at start: nothing is computed per packet.
/// </summary>
public static class UdpFrame
{
    public const int HeaderLength = 14 + 20 + 8;

    public static void Write(Span<byte> frame, ReadOnlySpan<byte> sourceMac, ReadOnlySpan<byte> destinationMac,
        IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, ushort ipId)
    {
        if (frame.Length < HeaderLength) throw new ArgumentException($"a UDP frame needs at least {HeaderLength} bytes", nameof(frame));
        frame.Clear();
        destinationMac.CopyTo(frame);
        sourceMac.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);

        var ip = frame.Slice(14, 20);
        int ipLength = frame.Length - 14;
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], ipId);
        ip[8] = 64;
        ip[9] = 17;
        source.TryWriteBytes(ip[12..16], out _);
        destination.TryWriteBytes(ip[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Fold(Sum(ip, 0)));

        var udp = frame[34..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
        "ulvs-lab"u8.CopyTo(udp[8..]);
        // Pseudo-header: source, destination, zero + protocol, UDP length.
        uint sum = Sum(ip.Slice(12, 8), 0) + 17u + (uint)udp.Length;
        ushort check = Fold(Sum(udp, sum));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], check == 0 ? (ushort)0xffff : check);
    }

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (uint)data[i] << 8;
        return sum;
    }

    private static ushort Fold(uint sum)
    {
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
