using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>Frames built with PacketDotNet for the I/O tests.</summary>
internal static class TestFrames
{
    public static readonly PhysicalAddress MacA = PhysicalAddress.Parse("02-00-00-00-00-0A");
    public static readonly PhysicalAddress MacB = PhysicalAddress.Parse("02-00-00-00-00-0B");

    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort, int payloadLength = 18, byte fill = 0x5a)
    {
        var udp = new UdpPacket(sourcePort, destinationPort) { PayloadData = Enumerable.Repeat(fill, payloadLength).ToArray() };
        var ip = new IPv4Packet(IPAddress.Parse(source), IPAddress.Parse(destination)) { PayloadPacket = udp, TimeToLive = 64 };
        var eth = new EthernetPacket(MacA, MacB, EthernetType.IPv4) { PayloadPacket = ip };
        eth.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        ip.UpdateIPChecksum();
        return eth.Bytes;
    }

    public static byte[] Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, int payloadLength = 0)
    {
        var tcp = new TcpPacket(sourcePort, destinationPort) { Acknowledgment = true, WindowSize = 1000, PayloadData = new byte[payloadLength] };
        var ip = new IPv4Packet(IPAddress.Parse(source), IPAddress.Parse(destination)) { PayloadPacket = tcp, TimeToLive = 64 };
        var eth = new EthernetPacket(MacA, MacB, EthernetType.IPv4) { PayloadPacket = ip };
        eth.UpdateCalculatedValues();
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        return eth.Bytes;
    }

    /// <summary>
    /// An ICMP error from <paramref name="source"/> to <paramref name="destination"/> quoting the IPv4
    /// header and first 8 payload bytes of <paramref name="quotedFrame"/> (as RFC 792 routers do).
    /// </summary>
    public static byte[] IcmpError(string source, string destination, byte type, byte code, byte[] quotedFrame)
    {
        int quotedIhl = (quotedFrame[14] & 0x0f) * 4;
        var icmp = new byte[8 + quotedIhl + 8];
        icmp[0] = type;
        icmp[1] = code;
        quotedFrame.AsSpan(14, quotedIhl + 8).CopyTo(icmp.AsSpan(8));
        var ip = new IPv4Packet(IPAddress.Parse(source), IPAddress.Parse(destination))
        {
            Protocol = PacketDotNet.ProtocolType.Icmp, PayloadData = icmp, TimeToLive = 64,
        };
        var eth = new EthernetPacket(MacA, MacB, EthernetType.IPv4) { PayloadPacket = ip };
        eth.UpdateCalculatedValues();
        ip.UpdateIPChecksum();
        return eth.Bytes;
    }

    /// <summary>The same frame with an 802.1Q tag inserted after the MAC addresses.</summary>
    public static byte[] WithVlanTag(byte[] frame, ushort vlanId)
    {
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        tagged[12] = 0x81;
        tagged[13] = 0x00;
        tagged[14] = (byte)(vlanId >> 8);
        tagged[15] = (byte)vlanId;
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    public static uint Address(string dotted) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(dotted).GetAddressBytes());
}
