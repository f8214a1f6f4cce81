using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet.Utils;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;
using Pdn = PacketDotNet;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// The frames of the NAT specifications, built by PacketDotNet (an implementation independent of
/// the forwarder), and the checks of what comes out: every output is parsed by PacketDotNet, its
/// fields compared, and its IP, TCP, UDP and ICMP checksums compared with ones computed afresh by
/// <see cref="Reference"/>, the naive RFC 1071 sum, never by the code under test.
/// </summary>
internal static class Wire
{
    public static PhysicalAddress Phys(MacAddress mac)
    {
        var bytes = new byte[6];
        mac.WriteTo(bytes);
        return new PhysicalAddress(bytes);
    }

    /// <summary>Applies an edit to a frame and returns it, for one-line table rows.</summary>
    public static byte[] Also(this byte[] frame, Action<byte[]> edit)
    {
        edit(frame);
        return frame;
    }

    public static MacAddress Mac(PhysicalAddress address) => MacAddress.Read(address.GetAddressBytes());

    public static IPv4Address Address(IPAddress address) => IPv4Address.Parse(address.ToString());

    /// <summary>A payload whose bytes differ at odd and even positions, so a sum over the wrong bytes shows.</summary>
    public static byte[] Payload(int length, int seed = 1)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(seed * 37 + i * 11 + (i >> 2));
        return bytes;
    }

    public static byte[] Tcp(MacAddress sourceMac, MacAddress destinationMac, IPv4Address source, ushort sourcePort,
        IPv4Address destination, ushort destinationPort, TcpFlags flags, byte[]? payload = null,
        uint sequence = 1000, uint acknowledgment = 0, int ttl = 64)
    {
        var tcp = new Pdn.TcpPacket(sourcePort, destinationPort)
        {
            Synchronize = (flags & TcpFlags.Syn) != 0,
            Acknowledgment = (flags & TcpFlags.Ack) != 0,
            Finished = (flags & TcpFlags.Fin) != 0,
            Reset = (flags & TcpFlags.Rst) != 0,
            Push = (flags & TcpFlags.Psh) != 0,
            SequenceNumber = sequence,
            AcknowledgmentNumber = acknowledgment,
            WindowSize = 64240,
            PayloadData = payload ?? [],
        };
        return Finish(tcp, sourceMac, destinationMac, source, destination, ttl, () => tcp.UpdateTcpChecksum());
    }

    /// <param name="noChecksum">Send UDP checksum 0: the sender computed none (RFC 768).</param>
    public static byte[] Udp(MacAddress sourceMac, MacAddress destinationMac, IPv4Address source, ushort sourcePort,
        IPv4Address destination, ushort destinationPort, byte[] payload, bool noChecksum = false, int ttl = 64)
    {
        var udp = new Pdn.UdpPacket(sourcePort, destinationPort) { PayloadData = payload };
        return Finish(udp, sourceMac, destinationMac, source, destination, ttl, () =>
        {
            if (noChecksum) udp.Checksum = 0;
            else udp.UpdateUdpChecksum();
        });
    }

    /// <summary>An Ethernet/IPv4 ARP frame (28 bytes of ARP, not padded).</summary>
    public static byte[] Arp(ArpOperation operation, MacAddress ethernetSource, MacAddress ethernetDestination,
        MacAddress senderMac, IPv4Address senderIp, MacAddress targetMac, IPv4Address targetIp)
    {
        var arp = new Pdn.ArpPacket(operation == ArpOperation.Request ? Pdn.ArpOperation.Request : Pdn.ArpOperation.Response,
            Phys(targetMac), targetIp.ToIPAddress(), Phys(senderMac), senderIp.ToIPAddress());
        var eth = new Pdn.EthernetPacket(Phys(ethernetSource), Phys(ethernetDestination), Pdn.EthernetType.Arp) { PayloadPacket = arp };
        eth.UpdateCalculatedValues();
        return eth.Bytes.ToArray();
    }

    /// <summary>
    /// An ICMP message from <paramref name="from"/> to <paramref name="to"/>: type, code, the 4 bytes
    /// after the checksum (the next-hop MTU of "fragmentation needed"), and as its body the first
    /// <paramref name="quoteLength"/> bytes of <paramref name="quoted"/>'s IPv4 packet.
    /// </summary>
    public static byte[] Icmp(MacAddress sourceMac, MacAddress destinationMac, IPv4Address from, IPv4Address to,
        byte type, byte code, uint restOfHeader, byte[] quoted, int quoteLength = 28, int ttl = 64)
    {
        var body = quoted.AsSpan(14, Math.Min(quoteLength, quoted.Length - 14));
        var message = new byte[8 + body.Length];
        message[0] = type;
        message[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), restOfHeader);
        body.CopyTo(message.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), Reference.Checksum(message));
        var icmp = new Pdn.IcmpV4Packet(new ByteArraySegment(message));
        var ip = new Pdn.IPv4Packet(from.ToIPAddress(), to.ToIPAddress())
        {
            PayloadPacket = icmp, TimeToLive = ttl, Protocol = Pdn.ProtocolType.Icmp, Id = 0x0ccc,
        };
        var eth = new Pdn.EthernetPacket(Phys(sourceMac), Phys(destinationMac), Pdn.EthernetType.IPv4) { PayloadPacket = ip };
        eth.UpdateCalculatedValues();
        ip.UpdateIPChecksum();
        return eth.Bytes.ToArray();
    }

    private static byte[] Finish(Pdn.Packet transport, MacAddress sourceMac, MacAddress destinationMac,
        IPv4Address source, IPv4Address destination, int ttl, Action updateChecksum)
    {
        var ip = new Pdn.IPv4Packet(source.ToIPAddress(), destination.ToIPAddress())
        {
            PayloadPacket = transport, TimeToLive = ttl, Id = 0x1234, FragmentFlags = 2,   // DF, as TCP stacks send
        };
        var eth = new Pdn.EthernetPacket(Phys(sourceMac), Phys(destinationMac), Pdn.EthernetType.IPv4) { PayloadPacket = ip };
        eth.UpdateCalculatedValues();
        updateChecksum();
        ip.UpdateIPChecksum();
        return eth.Bytes.ToArray();
    }

    // ---- the lab's usual frames ----

    /// <summary>Client (on-link, 192.0.2.100 unless given) to VIP:vport, addressed to the router's public MAC.</summary>
    public static byte[] ClientTcp(ushort clientPort, TcpFlags flags, byte[]? payload = null, IPv4Address? client = null,
        MacAddress? clientMac = null, ushort virtualPort = NatLab.HttpPort, int ttl = 64, uint sequence = 1000, uint acknowledgment = 0) =>
        Tcp(clientMac ?? NatLab.ClientMac, NatLab.PublicMac, client ?? NatLab.Client, clientPort, NatLab.Vip, virtualPort,
            flags, payload, sequence, acknowledgment, ttl);

    /// <summary>Real server n's reply RIP:rport to the client, addressed to the router's private MAC (its gateway).</summary>
    public static byte[] ServerTcp(int server, ushort clientPort, TcpFlags flags, byte[]? payload = null, IPv4Address? client = null,
        ushort realPort = NatLab.HttpRealPort, int ttl = 64, uint sequence = 5000, uint acknowledgment = 0) =>
        Tcp(NatLab.ServerMac(server), NatLab.PrivateMac, NatLab.Rip(server), realPort, client ?? NatLab.Client, clientPort,
            flags, payload, sequence, acknowledgment, ttl);

    // ---- checks of output frames ----

    /// <summary>The Ethernet and IPv4 layers of an output frame, parsed by PacketDotNet and checked.</summary>
    public static Pdn.IPv4Packet AssertIp(byte[] frame, MacAddress sourceMac, MacAddress destinationMac,
        IPv4Address source, IPv4Address destination, int ttl)
    {
        var eth = Assert.IsType<Pdn.EthernetPacket>(Pdn.Packet.ParsePacket(Pdn.LinkLayers.Ethernet, frame));
        Assert.Equal(Pdn.EthernetType.IPv4, eth.Type);
        Assert.Equal(sourceMac, Mac(eth.SourceHardwareAddress));
        Assert.Equal(destinationMac, Mac(eth.DestinationHardwareAddress));
        var ip = eth.Extract<Pdn.IPv4Packet>();
        Assert.NotNull(ip);
        Assert.Equal(source, Address(ip.SourceAddress));
        Assert.Equal(destination, Address(ip.DestinationAddress));
        Assert.Equal(ttl, ip.TimeToLive);
        Assert.Equal(14 + ip.TotalLength, frame.Length);   // sent without Ethernet padding or trailing bytes
        Assert.Equal(Reference.IpHeaderChecksum(frame), ip.Checksum);
        return ip;
    }

    public static Pdn.TcpPacket AssertTcp(byte[] frame, MacAddress sourceMac, MacAddress destinationMac,
        IPv4Address source, ushort sourcePort, IPv4Address destination, ushort destinationPort, int ttl = 63)
    {
        var ip = AssertIp(frame, sourceMac, destinationMac, source, destination, ttl);
        var tcp = ip.Extract<Pdn.TcpPacket>();
        Assert.NotNull(tcp);
        Assert.Equal((sourcePort, destinationPort), (tcp.SourcePort, tcp.DestinationPort));
        Assert.Equal(Reference.TransportChecksum(frame), tcp.Checksum);
        return tcp;
    }

    public static Pdn.UdpPacket AssertUdp(byte[] frame, MacAddress sourceMac, MacAddress destinationMac,
        IPv4Address source, ushort sourcePort, IPv4Address destination, ushort destinationPort, int ttl = 63)
    {
        var ip = AssertIp(frame, sourceMac, destinationMac, source, destination, ttl);
        var udp = ip.Extract<Pdn.UdpPacket>();
        Assert.NotNull(udp);
        Assert.Equal((sourcePort, destinationPort), (udp.SourcePort, udp.DestinationPort));
        if (udp.Checksum != 0) Assert.Equal(Reference.TransportChecksum(frame), udp.Checksum);
        return udp;
    }

    /// <summary>
    /// The request path's rewrite: the client's frame, now from the private MAC to real server n,
    /// destination RIP:rport, source and everything past the ports untouched, TTL one less.
    /// </summary>
    public static Pdn.TcpPacket AssertToServer(byte[] frame, int server, ushort clientPort, IPv4Address? client = null,
        ushort realPort = NatLab.HttpRealPort, int ttl = 63) =>
        AssertTcp(frame, NatLab.PrivateMac, NatLab.ServerMac(server), client ?? NatLab.Client, clientPort, NatLab.Rip(server), realPort, ttl);

    /// <summary>The reply path's rewrite: from the public MAC to <paramref name="nextHopMac"/>, source VIP:vport.</summary>
    public static Pdn.TcpPacket AssertToClient(byte[] frame, ushort clientPort, IPv4Address? client = null, MacAddress? nextHopMac = null,
        ushort virtualPort = NatLab.HttpPort, int ttl = 63) =>
        AssertTcp(frame, NatLab.PublicMac, nextHopMac ?? NatLab.ClientMac, NatLab.Vip, virtualPort, client ?? NatLab.Client, clientPort, ttl);

    /// <summary>An ARP frame written by the router, parsed by PacketDotNet.</summary>
    public static Pdn.ArpPacket AssertArp(byte[] frame, MacAddress ethernetSource, MacAddress ethernetDestination, Pdn.ArpOperation operation,
        MacAddress senderMac, IPv4Address senderIp, MacAddress targetMac, IPv4Address targetIp)
    {
        Assert.Equal(60, frame.Length);   // padded to Ethernet's minimum
        var eth = Assert.IsType<Pdn.EthernetPacket>(Pdn.Packet.ParsePacket(Pdn.LinkLayers.Ethernet, frame));
        Assert.Equal(Pdn.EthernetType.Arp, eth.Type);
        Assert.Equal(ethernetSource, Mac(eth.SourceHardwareAddress));
        Assert.Equal(ethernetDestination, Mac(eth.DestinationHardwareAddress));
        var arp = eth.Extract<Pdn.ArpPacket>();
        Assert.NotNull(arp);
        Assert.Equal(operation, arp.Operation);
        Assert.Equal(senderMac, Mac(arp.SenderHardwareAddress));
        Assert.Equal(senderIp, Address(arp.SenderProtocolAddress));
        Assert.Equal(targetMac, Mac(arp.TargetHardwareAddress));
        Assert.Equal(targetIp, Address(arp.TargetProtocolAddress));
        return arp;
    }
}
