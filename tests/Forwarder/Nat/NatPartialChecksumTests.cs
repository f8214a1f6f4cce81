using System.Buffers.Binary;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// Frames with an unfinished checksum (CHECKSUM_PARTIAL: locally generated traffic on veth; AF_PACKET
/// says TP_STATUS_CSUMNOTREADY, or hands a virtio_net_hdr with NEEDS_CSUM): the TCP/UDP field holds
/// only the folded pseudo-header sum of the ORIGINAL addresses. NAT must move that sum to the NEW
/// addresses without touching it for the port (the port is summed with the header at completion,
/// tcp_partial_csum_update), and the frame must leave either completed (a port without vnet
/// headers completes it in software) or as NEEDS_CSUM with the right offsets (a port with vnet
/// headers hands that to the kernel). Every combination of ports, directions and protocols.
/// </summary>
public sealed class NatPartialChecksumTests
{
    public enum Input { FlagOnly, FlagAndVnet, VnetOnly }

    public static TheoryData<bool, bool, bool, bool, Input, int> Cases()
    {
        var data = new TheoryData<bool, bool, bool, bool, Input, int>();
        foreach (bool tcp in new[] { true, false })
        foreach (bool toServer in new[] { true, false })
        foreach (bool inVnet in new[] { false, true })
        foreach (bool outVnet in new[] { false, true })
        foreach (var input in Enum.GetValues<Input>())
        {
            if (input != Input.FlagOnly && !inVnet) continue;   // a port without vnet headers cannot deliver one
            data.Add(tcp, toServer, inVnet, outVnet, input, tcp ? 333 : 100);
        }
        data.Add(true, true, false, false, Input.FlagOnly, 0);
        data.Add(false, false, false, true, Input.FlagOnly, 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void APartialChecksum_LeavesValidForTheNewAddresses(bool tcp, bool toServer, bool inVnet, bool outVnet, Input input, int payloadLength)
    {
        using var lab = new NatLab(publicVnet: toServer ? inVnet : outVnet, privateVnet: toServer ? outVnet : inVnet);
        var service = tcp ? NatLab.Http : NatLab.Dns;
        ushort realPort = tcp ? NatLab.HttpRealPort : NatLab.DnsRealPort;
        lab.AddService(service, realPort: realPort);
        lab.LearnServers();
        const ushort port = 40001;
        var payload = Wire.Payload(payloadLength, seed: 9);

        byte[] Request() => tcp
            ? Wire.ClientTcp(port, TcpFlags.Syn, payload)
            : Wire.Udp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, port, NatLab.Vip, NatLab.DnsPort, payload);
        byte[] Reply() => tcp
            ? Wire.ServerTcp(1, port, TcpFlags.Syn | TcpFlags.Ack, payload)
            : Wire.Udp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), NatLab.DnsRealPort, NatLab.Client, port, payload);

        if (!toServer) lab.FromClient(Request()).ToServer();   // the connection the reply belongs to
        var frame = toServer ? Request() : Reply();
        Reference.MakePartial(frame);
        ushort checksumOffset = (ushort)(tcp ? 16 : 6);
        var flags = input == Input.VnetOnly ? RxFrameFlags.None : RxFrameFlags.ChecksumNotReady;
        var vnet = input == Input.FlagOnly ? default : new VirtioNetHeader
        {
            Flags = VirtioNetHeaderFlags.NeedsChecksum, ChecksumStart = 34, ChecksumOffset = checksumOffset,
        };

        var outcome = toServer ? lab.FromClient(frame, flags, vnet) : lab.FromServer(frame, flags, vnet);
        var sent = toServer ? outcome.ToServer() : outcome.ToClient();
        var sentVnet = Assert.Single(toServer ? outcome.Private : outcome.Public).Vnet;

        if (outVnet)
        {
            // Still partial, handed on: the field holds the pseudo-header sum of the new addresses.
            Assert.True(sentVnet.NeedsChecksum);
            Assert.Equal((34, checksumOffset), (sentVnet.ChecksumStart, sentVnet.ChecksumOffset));
            Assert.False(sentVnet.IsGso);
            Assert.Equal(Reference.PseudoHeaderSum(sent), Reference.TransportChecksumField(sent));
            Assert.True(sentVnet.TryCompleteChecksum(sent));   // what the kernel will do on transmit
        }
        else
        {
            Assert.True(sentVnet.IsEmpty);
        }

        if (tcp)
        {
            var segment = toServer
                ? Wire.AssertToServer(sent, server: 1, port)
                : Wire.AssertToClient(sent, port);
            Assert.Equal(payload, segment.PayloadData ?? []);
        }
        else
        {
            var datagram = toServer
                ? Wire.AssertUdp(sent, NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.Client, port, NatLab.Rip(1), NatLab.DnsRealPort)
                : Wire.AssertUdp(sent, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.DnsPort, NatLab.Client, port);
            Assert.NotEqual(0, datagram.Checksum);
            Assert.Equal(payload, datagram.PayloadData);
        }
    }

    [Fact]
    public void AFrameWithACompleteChecksum_LeavesWithoutAVnetRequest_EvenOnAVnetPort()
    {
        using var lab = new NatLab(publicVnet: true, privateVnet: true);
        lab.AddService(NatLab.Http);
        lab.LearnServers();

        var outcome = lab.FromClient(Wire.ClientTcp(40001, TcpFlags.Syn, Wire.Payload(10)));

        Wire.AssertToServer(outcome.ToServer(), server: 1, 40001);
        Assert.True(Assert.Single(outcome.Private).Vnet.IsEmpty);
    }

    [Fact]
    public void TheReceivedFramesOwnVnetHeader_TravelsOn()
    {
        // A GRO'd TCP super-frame would carry gso_type and gso_size; NAT changes no header length,
        // so the same request goes to the kernel on the other port.
        using var lab = new NatLab(publicVnet: true, privateVnet: true);
        lab.AddService(NatLab.Http);
        lab.LearnServers();
        lab.FromClient(Wire.ClientTcp(40001, TcpFlags.Syn)).ToServer();
        var frame = Wire.ClientTcp(40001, TcpFlags.Ack, Wire.Payload(1800));
        Reference.MakePartial(frame);
        var vnet = new VirtioNetHeader
        {
            Flags = VirtioNetHeaderFlags.NeedsChecksum, GsoType = VirtioGsoType.TcpV4, HeaderLength = 54, GsoSize = 900,
            ChecksumStart = 34, ChecksumOffset = 16,
        };

        var outcome = lab.FromClient(frame, RxFrameFlags.ChecksumNotReady, vnet);

        var sent = outcome.ToServer();
        Assert.Equal(vnet, Assert.Single(outcome.Private).Vnet);
        Assert.Equal(Reference.PseudoHeaderSum(sent), BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(34 + 16)));
    }
}
