using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using PacketDotNet.Utils;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>
/// Frames built by PacketDotNet, the independent implementation every view and checksum here is
/// checked against, plus the edits PacketDotNet cannot make itself (802.1Q tag, IPv4 options,
/// CHECKSUM_PARTIAL fields), each followed by a fresh checksum from PacketDotNet or the naive
/// <see cref="Reference"/> sum.
/// </summary>
internal static class Frames
{
    public const string Client = "198.51.100.7";
    public const string Vip = "192.0.2.10";
    public const string Rip = "10.0.0.21";
    public static readonly PhysicalAddress ClientMac = PhysicalAddress.Parse("02-00-5E-10-00-07");
    public static readonly PhysicalAddress RouterMac = PhysicalAddress.Parse("02-00-5E-10-00-01");

    public static byte[] Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, byte[] payload,
        bool syn = true, bool ack = false, uint sequence = 0x01020304, uint acknowledgment = 0, ushort window = 29200, ushort id = 0x1234, int ttl = 64)
    {
        var tcp = new TcpPacket(sourcePort, destinationPort)
        {
            Synchronize = syn, Acknowledgment = ack, SequenceNumber = sequence, AcknowledgmentNumber = acknowledgment,
            WindowSize = window, PayloadData = payload,
        };
        return Finish(tcp, source, destination, id, ttl, () => tcp.UpdateTcpChecksum());
    }

    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort, byte[] payload, ushort id = 0x4321)
    {
        var udp = new UdpPacket(sourcePort, destinationPort) { PayloadData = payload };
        return Finish(udp, source, destination, id, 64, () => udp.UpdateUdpChecksum());
    }

    private static byte[] Finish(Packet transport, string source, string destination, ushort id, int ttl, Action updateChecksum)
    {
        var ip = new IPv4Packet(IPAddress.Parse(source), IPAddress.Parse(destination)) { PayloadPacket = transport, TimeToLive = ttl, Id = id };
        var eth = new EthernetPacket(ClientMac, RouterMac, EthernetType.IPv4) { PayloadPacket = ip };
        eth.UpdateCalculatedValues();
        updateChecksum();
        ip.UpdateIPChecksum();
        return eth.Bytes.ToArray();
    }

    /// <summary>A payload of <paramref name="length"/> bytes that are not all alike (odd and even positions differ).</summary>
    public static byte[] Payload(int length, int seed = 1)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(seed * 31 + i * 7 + (i >> 3));
        return bytes;
    }

    public static Packet Parse(byte[] frame) => Packet.ParsePacket(LinkLayers.Ethernet, frame);

    /// <summary>Inserts an 802.1Q tag with the given tag control information after the MACs.</summary>
    public static byte[] WithVlan(byte[] frame, ushort tagControl)
    {
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), tagControl);
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    /// <summary>Inserts IPv4 options (a multiple of 4 bytes) into an untagged frame; PacketDotNet redoes the header checksum.</summary>
    public static byte[] WithIpOptions(byte[] frame, byte[] options)
    {
        var result = new byte[frame.Length + options.Length];
        frame.AsSpan(0, 34).CopyTo(result);
        options.CopyTo(result, 34);
        frame.AsSpan(34).CopyTo(result.AsSpan(34 + options.Length));
        result[14] = (byte)(0x40 | ((20 + options.Length) / 4));
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(16), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(result.AsSpan(16)) + options.Length));
        var ip = Parse(result).Extract<IPv4Packet>();
        ip.UpdateIPChecksum();
        return result;
    }

    /// <summary>Appends Ethernet padding (non-zero, so a sum that wrongly includes it shows).</summary>
    public static byte[] Padded(byte[] frame, int padding)
    {
        var result = new byte[frame.Length + padding];
        frame.CopyTo(result, 0);
        result.AsSpan(frame.Length).Fill(0xA5);
        return result;
    }

    /// <summary>Offsets of the IPv4 header and the transport header in an Ethernet frame.</summary>
    public static (int Ip, int Transport) Offsets(byte[] frame)
    {
        int ip = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == 0x8100 ? 18 : 14;
        return (ip, ip + (frame[ip] & 0x0F) * 4);
    }

    /// <summary>
    /// Turns the transport checksum into what a CHECKSUM_PARTIAL sender leaves in it: the folded,
    /// uncomplemented pseudo-header sum (~tcp_v4_check(len, saddr, daddr, 0) in the kernel).
    /// </summary>
    public static void MakePartial(byte[] frame)
    {
        var (ip, transport) = Offsets(frame);
        byte protocol = frame[ip + 9];
        int length = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(ip + 2)) - (transport - ip);
        var pseudo = new byte[12];
        frame.AsSpan(ip + 12, 8).CopyTo(pseudo);
        pseudo[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)length);
        ushort partial = (ushort)~Reference(pseudo);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(transport + ChecksumOffset(protocol)), partial);
    }

    public static int ChecksumOffset(byte protocol) => protocol == 6 ? 16 : protocol == 17 ? 6 : 2;

    public static ushort TransportChecksum(byte[] frame)
    {
        var (ip, transport) = Offsets(frame);
        return BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(transport + ChecksumOffset(frame[ip + 9])));
    }

    /// <summary>RFC 1071 the slow way: 16-bit big-endian words, odd byte padded, carries folded at the end, complemented.</summary>
    public static ushort Reference(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        for (int i = 0; i < data.Length; i += 2)
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
