using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// What is not LVS's to forward. On the public side only traffic to a virtual service is ours;
/// TCP that is not a SYN and finds no connection is dropped (IPVS schedules only on a SYN and the
/// kernel must not answer for VIP:port either). On the private side only replies that match a
/// connection's reply key and are addressed to the router's MAC are ours; the router's own traffic
/// (health checks, ssh, DNS) is the kernel's. The lab holds one connection, client:40001 to server
/// 1, so that near misses of it are in the table too. Nothing is ever sent for these frames.
/// </summary>
public sealed class NatKernelTrafficTests : IDisposable
{
    private const ushort Port = 40001;
    private readonly NatLab _lab = new();

    public NatKernelTrafficTests()
    {
        _lab.AddService(NatLab.Http);
        _lab.AddService(NatLab.Dns, realPort: NatLab.DnsRealPort);
        _lab.LearnServers();
        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer(), server: 1, Port);
    }

    public void Dispose() => _lab.Dispose();

    private static byte[] ToVip(ushort port, TcpFlags flags, byte[]? payload = null) => Wire.ClientTcp(port, flags, payload);

    private static byte[] ClientTo(IPv4Address destination, ushort port) =>
        Wire.Tcp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, 50000, destination, port, TcpFlags.Syn);

    private static byte[] WithEtherType(byte[] frame, ushort type)
    {
        frame[12] = (byte)(type >> 8);
        frame[13] = (byte)type;
        return frame;
    }

    private static byte[] WithIpProtocol(byte[] frame, byte protocol)
    {
        frame[14 + 9] = protocol;
        Reference.FixIpHeaderChecksum(frame);
        return frame;
    }

    private static byte[] Echo(MacAddress sourceMac, MacAddress destinationMac, IPv4Address from, IPv4Address to) =>
        Wire.Icmp(sourceMac, destinationMac, from, to, type: 8, code: 0, restOfHeader: 0x00010001, quoted: new byte[14 + 32], quoteLength: 32);

    public static TheoryData<string, byte[], FrameVerdict, DropReason> FromClients => new()
    {
        { "ACK to VIP:80 without a connection", ToVip(41000, TcpFlags.Ack), FrameVerdict.Dropped, DropReason.NoConnection },
        { "data to VIP:80 without a connection", ToVip(41000, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(100)), FrameVerdict.Dropped, DropReason.NoConnection },
        { "FIN to VIP:80 without a connection", ToVip(41000, TcpFlags.Fin | TcpFlags.Ack), FrameVerdict.Dropped, DropReason.NoConnection },
        { "RST to VIP:80 without a connection", ToVip(41000, TcpFlags.Rst), FrameVerdict.Dropped, DropReason.NoConnection },
        { "SYN+RST to VIP:80 without a connection", ToVip(41000, TcpFlags.Syn | TcpFlags.Rst), FrameVerdict.Dropped, DropReason.NoConnection },
        { "segment without flags to VIP:80", ToVip(41000, TcpFlags.None), FrameVerdict.Dropped, DropReason.NoConnection },
        { "SYN to the router's own address", ClientTo(NatLab.PublicAddress, 22), FrameVerdict.LeftToKernel, DropReason.None },
        { "SYN to another host on the segment", ClientTo(NatLab.Neighbour, 80), FrameVerdict.LeftToKernel, DropReason.None },
        { "SYN to a VIP port without a service", ClientTo(NatLab.Vip, 443), FrameVerdict.LeftToKernel, DropReason.None },
        { "ACK to a VIP port without a service", ToVip(41000, TcpFlags.Ack).Also(f => f[14 + 20 + 3] = 22), FrameVerdict.LeftToKernel, DropReason.None },
        { "UDP to VIP:80 (a TCP-only port)", Wire.Udp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, 50000, NatLab.Vip, 80, Wire.Payload(20)),
            FrameVerdict.LeftToKernel, DropReason.None },
        { "TCP to VIP:53 (a UDP-only port)", ClientTo(NatLab.Vip, 53), FrameVerdict.LeftToKernel, DropReason.None },
        { "ICMP echo request to the VIP", Echo(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, NatLab.Vip), FrameVerdict.LeftToKernel, DropReason.None },
        { "GRE to the VIP", WithIpProtocol(ClientTo(NatLab.Vip, 80), 47), FrameVerdict.LeftToKernel, DropReason.None },
        { "IPv6 frame", WithEtherType(ToVip(41000, TcpFlags.Syn), 0x86DD), FrameVerdict.LeftToKernel, DropReason.None },
        { "LLDP frame", WithEtherType(ToVip(41000, TcpFlags.Syn), 0x88CC), FrameVerdict.LeftToKernel, DropReason.None },
    };

    public static TheoryData<string, byte[], FrameVerdict, DropReason> FromServers => new()
    {
        { "reply to a client port with no connection", Wire.ServerTcp(1, 41000, TcpFlags.Syn | TcpFlags.Ack), FrameVerdict.LeftToKernel, DropReason.None },
        { "reply from the connection's server on another port", Wire.ServerTcp(1, Port, TcpFlags.Ack, realPort: 9090), FrameVerdict.LeftToKernel, DropReason.None },
        { "reply from another server for the connection's client port", Wire.ServerTcp(2, Port, TcpFlags.Ack), FrameVerdict.LeftToKernel, DropReason.None },
        { "reply to another client with the connection's port", Wire.ServerTcp(1, Port, TcpFlags.Ack, client: NatLab.Neighbour), FrameVerdict.LeftToKernel, DropReason.None },
        { "server's ssh to the NAT router", Wire.Tcp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), 50000, NatLab.NatRouter, 22, TcpFlags.Syn),
            FrameVerdict.LeftToKernel, DropReason.None },
        { "server's DNS query to the outside", Wire.Udp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), 50000, IPv4Address.Parse("203.0.113.53"), 53, Wire.Payload(30)),
            FrameVerdict.LeftToKernel, DropReason.None },
        { "health-check answer to the NAT router", Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack, client: NatLab.NatRouter), FrameVerdict.LeftToKernel, DropReason.None },
        { "the connection's reply, addressed to another MAC", Wire.Tcp(NatLab.ServerMac(1), NatLab.ServerMac(2), NatLab.Rip(1), NatLab.HttpRealPort, NatLab.Client, Port, TcpFlags.Ack),
            FrameVerdict.LeftToKernel, DropReason.None },
        { "the connection's reply, broadcast", Wire.Tcp(NatLab.ServerMac(1), MacAddress.Broadcast, NatLab.Rip(1), NatLab.HttpRealPort, NatLab.Client, Port, TcpFlags.Ack),
            FrameVerdict.LeftToKernel, DropReason.None },
        { "ICMP echo to the NAT router", Echo(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.NatRouter), FrameVerdict.LeftToKernel, DropReason.None },
        { "GRE from a server", WithIpProtocol(Wire.ServerTcp(1, Port, TcpFlags.Ack), 47), FrameVerdict.LeftToKernel, DropReason.None },
        { "IPv6 frame", WithEtherType(Wire.ServerTcp(1, Port, TcpFlags.Ack), 0x86DD), FrameVerdict.LeftToKernel, DropReason.None },
        { "ARP request for the NAT router", Wire.Arp(ArpOperation.Request, NatLab.ServerMac(3), MacAddress.Broadcast,
            NatLab.ServerMac(3), NatLab.Rip(3), MacAddress.Zero, NatLab.NatRouter), FrameVerdict.LeftToKernel, DropReason.None },
    };

    [Theory]
    [MemberData(nameof(FromClients))]
    public void FromTheClientSide(string description, byte[] frame, FrameVerdict verdict, DropReason reason)
    {
        var outcome = _lab.FromClient(frame);
        Assert.True((verdict, reason) == (outcome.Verdict, outcome.Reason), $"{description}: {outcome.Verdict} {outcome.Reason}");
        outcome.AssertSilent(verdict, reason);
        Assert.Equal(1, _lab.Connections.Count);   // nothing was scheduled
    }

    [Theory]
    [MemberData(nameof(FromServers))]
    public void FromTheServerSide(string description, byte[] frame, FrameVerdict verdict, DropReason reason)
    {
        var outcome = _lab.FromServer(frame);
        Assert.True((verdict, reason) == (outcome.Verdict, outcome.Reason), $"{description}: {outcome.Verdict} {outcome.Reason}");
        outcome.AssertSilent(verdict, reason);
        Assert.Equal("SYN_RECV", _lab.ConnectionOf(Port).StateName);   // the connection saw none of it
    }

    [Fact]
    public void TheConnectionsOwnReply_IsStillForwarded() =>
        Wire.AssertToClient(_lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack)).ToClient(), Port);

    [Fact]
    public void ASynToTheVip_AddressedToAnotherHostsMac_IsNotOurs()
    {
        var syn = Wire.Tcp(NatLab.ClientMac, NatLab.NeighbourMac, NatLab.Client, 41000, NatLab.Vip, 80, TcpFlags.Syn);

        _lab.FromClient(syn).AssertSilent(FrameVerdict.LeftToKernel);
        Assert.Equal(1, _lab.Connections.Count);
    }
}
