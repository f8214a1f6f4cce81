using System.Buffers.Binary;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;
using Pdn = PacketDotNet;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// The router's own checks around NAT, which the kernel's IP layer makes for IPVS and UserLvs makes
/// itself: a packet that cannot take the next hop (TTL runs out: "time exceeded"; DF and larger than
/// the outgoing link's MTU: "fragmentation needed" with that MTU, RFC 1191) is dropped and its sender
/// told, at most 50 errors at once and 1000 a second per worker; frames of VLAN devices on the link
/// and martian sources are not the forwarder's; a frame the outgoing port refuses is not counted as
/// forwarded. Errors about a client's packet come from the VIP (the kernel's icmp_send answers from a
/// local destination), errors about a real server's reply from the NAT router address.
/// </summary>
public sealed class NatRouterChecksTests : IDisposable
{
    private const ushort Port = 40001;
    private NatLab _lab = new();

    public NatRouterChecksTests() => Setup(_lab);

    public void Dispose() => _lab.Dispose();

    private static void Setup(NatLab lab)
    {
        lab.AddService(NatLab.Http);
        lab.LearnServers();
        lab.Neighbours.Learn(NatLab.Client, NatLab.ClientMac, lab.Now);
    }

    private void UseLab(NatLab lab)
    {
        _lab.Dispose();
        _lab = lab;
        Setup(lab);
    }

    /// <summary>The client's connection, established: SYN in, SYN-ACK out.</summary>
    private void Connect(ushort port = Port)
    {
        _lab.FromClient(Wire.ClientTcp(port, TcpFlags.Syn)).ToServer();
        _lab.FromServer(Wire.ServerTcp(1, port, TcpFlags.Syn | TcpFlags.Ack)).ToClient();
    }

    /// <summary>
    /// The one ICMP error an outcome sent, parsed by PacketDotNet: addressed hop by hop back to the
    /// packet's sender, TTL 64, checksums verified with <see cref="Reference"/>, and the quote equal to
    /// the offending packet as its sender sent it, cut to keep the error within 576 bytes.
    /// </summary>
    private static (byte Type, byte Code, uint RestOfHeader) AssertIcmpError(IReadOnlyList<SentFrame> port, MacAddress fromMac,
        MacAddress toMac, IPv4Address from, IPv4Address to, byte[] offending)
    {
        var frame = Assert.Single(port).Bytes;
        var ip = Wire.AssertIp(frame, fromMac, toMac, from, to, ttl: 64);
        Assert.Equal(Pdn.ProtocolType.Icmp, ip.Protocol);
        Assert.Equal(0xC0, ip.TypeOfService & 0xE0);   // precedence: internetwork control
        var message = frame.AsSpan(14 + 20).ToArray();
        ushort stored = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
        message[2] = message[3] = 0;
        Assert.Equal(Reference.Checksum(message), stored);
        int ipLength = BinaryPrimitives.ReadUInt16BigEndian(offending.AsSpan(14 + 2));
        int quoted = Math.Min(ipLength, 576 - 20 - 8);
        Assert.Equal(offending.AsSpan(14, quoted).ToArray(), message[8..]);
        return (message[0], message[1], BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(4)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void AClientPacketWhoseTtlRunsOut_IsDropped_AndTheClientHearsTimeExceeded_FromTheVip(int ttl)
    {
        var syn = Wire.ClientTcp(Port, TcpFlags.Syn, ttl: ttl);

        var outcome = _lab.FromClient(syn);

        Assert.Equal((FrameVerdict.Dropped, DropReason.TtlExpired), (outcome.Verdict, outcome.Reason));
        Assert.Empty(outcome.Private);
        Assert.Equal((11, 0, 0u), AssertIcmpError(outcome.Public, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.Client, syn));
        Assert.Equal(1, _lab.Engine.Stats.IcmpErrorsSent);
    }

    [Fact]
    public void AReplyWhoseTtlRunsOut_IsDropped_AndTheRealServerHearsTimeExceeded_FromItsGateway()
    {
        Connect();
        var reply = Wire.ServerTcp(1, Port, TcpFlags.Ack, Wire.Payload(100), ttl: 1);

        var outcome = _lab.FromServer(reply);

        Assert.Equal((FrameVerdict.Dropped, DropReason.TtlExpired), (outcome.Verdict, outcome.Reason));
        Assert.Empty(outcome.Public);
        Assert.Equal((11, 0, 0u), AssertIcmpError(outcome.Private, NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.NatRouter, NatLab.Rip(1), reply));
    }

    [Fact]
    public void AnIcmpErrorWhoseTtlRunsOut_IsDropped_WithoutAnErrorAboutAnError()
    {
        Connect();
        var replyAsSent = Wire.Tcp(NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.HttpPort, NatLab.Client, Port, TcpFlags.Ack, ttl: 63);
        var error = Wire.Icmp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, NatLab.Vip, 3, 3, 0, replyAsSent, ttl: 1);

        _lab.FromClient(error).AssertSilent(FrameVerdict.Dropped, DropReason.TtlExpired);
    }

    [Fact]
    public void ADfSegmentLargerThanThePrivateMtu_IsDropped_AndTheClientLearnsTheMtu_FromTheVip()
    {
        UseLab(new NatLab(privateMtu: 1400));
        Connect();
        var big = Wire.ClientTcp(Port, TcpFlags.Ack | TcpFlags.Psh, Wire.Payload(1460));   // 1500 bytes of IP

        var outcome = _lab.FromClient(big);

        Assert.Equal((FrameVerdict.Dropped, DropReason.ExceedsMtu), (outcome.Verdict, outcome.Reason));
        Assert.Empty(outcome.Private);
        Assert.Equal((3, 4, 1400u), AssertIcmpError(outcome.Public, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.Client, big));
        Assert.Equal(576, Assert.Single(outcome.Public).Bytes.Length - 14);   // the error is the largest RFC 1812 allows
    }

    [Fact]
    public void ASegmentThatFitsThePrivateMtuExactly_IsForwarded()
    {
        UseLab(new NatLab(privateMtu: 1400));
        Connect();

        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack, Wire.Payload(1360))).ToServer(), server: 1, Port);
    }

    [Fact]
    public void ADatagramWithoutDfLargerThanTheMtu_IsDroppedSilently_UserLvsDoesNotFragment()
    {
        UseLab(new NatLab(privateMtu: 1400));
        Connect();
        var big = Wire.ClientTcp(Port, TcpFlags.Ack, Wire.Payload(1460)).Also(f =>
        {
            f[14 + 6] = 0;   // DF off
            Reference.FixIpHeaderChecksum(f);
        });

        _lab.FromClient(big).AssertSilent(FrameVerdict.Dropped, DropReason.ExceedsMtu);
    }

    [Fact]
    public void AReplyLargerThanThePublicMtu_IsDropped_AndTheRealServerLearnsTheMtu_FromItsGateway()
    {
        UseLab(new NatLab(publicMtu: 1280));
        Connect();
        var reply = Wire.ServerTcp(1, Port, TcpFlags.Ack, Wire.Payload(1400));

        var outcome = _lab.FromServer(reply);

        Assert.Equal((FrameVerdict.Dropped, DropReason.ExceedsMtu), (outcome.Verdict, outcome.Reason));
        Assert.Empty(outcome.Public);
        Assert.Equal((3, 4, 1280u), AssertIcmpError(outcome.Private, NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.NatRouter, NatLab.Rip(1), reply));
    }

    [Theory]
    [InlineData(1360, true)]    // 20 + 20 + 1360 = 1400: every segment fits
    [InlineData(1361, false)]   // one byte more per segment
    public void AGsoSuperFrame_IsMeasuredByItsSegments_NotByItsTotalLength(int gsoSize, bool fits)
    {
        UseLab(new NatLab(publicVnet: true, privateVnet: true, slotSize: 8192, privateMtu: 1400));
        Connect();
        var frame = Wire.ClientTcp(Port, TcpFlags.Ack, Wire.Payload(3 * gsoSize));
        Reference.MakePartial(frame);
        var vnet = new VirtioNetHeader
        {
            Flags = VirtioNetHeaderFlags.NeedsChecksum, GsoType = VirtioGsoType.TcpV4, HeaderLength = 54,
            GsoSize = (ushort)gsoSize, ChecksumStart = 34, ChecksumOffset = 16,
        };

        var outcome = _lab.FromClient(frame, RxFrameFlags.ChecksumNotReady | RxFrameFlags.HasVnetHeader, vnet);

        if (fits)
        {
            outcome.ToServer();
            return;
        }
        Assert.Equal((FrameVerdict.Dropped, DropReason.ExceedsMtu), (outcome.Verdict, outcome.Reason));
        Assert.Equal((3, 4, 1400u), AssertIcmpError(outcome.Public, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.Client, frame));
    }

    [Fact]
    public void IcmpErrors_AreRateLimited_FiftyAtOnce_ThenOnePerMillisecond()
    {
        int sent = 0;
        for (int i = 0; i < 60; i++)
            sent += _lab.FromClient(Wire.ClientTcp((ushort)(Port + i), TcpFlags.Syn, ttl: 1)).Public.Count;

        Assert.Equal(50, sent);
        Assert.Equal((50, 10), (_lab.Engine.Stats.IcmpErrorsSent, _lab.Engine.Stats.IcmpErrorsSuppressed));

        _lab.Now += 5;
        for (int i = 0; i < 10; i++)
            sent += _lab.FromClient(Wire.ClientTcp((ushort)(Port + 100 + i), TcpFlags.Syn, ttl: 1)).Public.Count;

        Assert.Equal(55, sent);
    }

    [Theory]
    [InlineData((ushort)42)]
    [InlineData((ushort)0x6042)]   // priority bits set, VLAN 0x042
    public void AFrameTheKernelUntaggedFromAVlan_IsTheVlanDevicesNotOurs(ushort tci)
    {
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn), RxFrameFlags.VlanValid, vlanTci: tci).AssertSilent(FrameVerdict.LeftToKernel);
        _lab.FromClient(Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast, NatLab.ClientMac, NatLab.Client,
            MacAddress.Zero, NatLab.Vip), RxFrameFlags.VlanValid, vlanTci: tci).AssertSilent(FrameVerdict.LeftToKernel);
        _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Ack), RxFrameFlags.VlanValid, vlanTci: tci).AssertSilent(FrameVerdict.LeftToKernel);
    }

    [Fact]
    public void AFrameTaggedInBand_IsTheVlanDevicesNotOurs_APriorityTagIsUntaggedTraffic()
    {
        var tagged = Tests.Packets.Frames.WithVlan(Wire.ClientTcp(Port, TcpFlags.Syn), 0x0042);
        _lab.FromClient(tagged).AssertSilent(FrameVerdict.LeftToKernel);

        var priorityTagged = Tests.Packets.Frames.WithVlan(Wire.ClientTcp(Port, TcpFlags.Syn), 0xA000);   // VLAN 0, priority 5
        _lab.FromClient(priorityTagged).ToServer();
    }

    public static TheoryData<string, IPv4Address> MartianSources => new()
    {
        { "this network", IPv4Address.Parse("0.1.2.3") },
        { "loopback", IPv4Address.Parse("127.0.0.1") },
        { "multicast", IPv4Address.Parse("224.0.0.251") },
        { "the limited broadcast", IPv4Address.Parse("255.255.255.255") },
        { "the VIP itself", NatLab.Vip },
        { "the router's public address", NatLab.PublicAddress },
    };

    [Theory]
    [MemberData(nameof(MartianSources))]
    public void APacketFromAMartianSource_IsDropped_NotScheduled(string description, IPv4Address source)
    {
        var outcome = _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn, client: source));

        Assert.True((FrameVerdict.Dropped, DropReason.MartianSource) == (outcome.Verdict, outcome.Reason), description);
        outcome.AssertSilent(FrameVerdict.Dropped, DropReason.MartianSource);
        Assert.Equal(0, _lab.Connections.Count);
    }

    [Fact]
    public void ASynFromTheGatewaysAddress_SentByAnotherHost_DoesNotTakeOverTheGatewaysMac()
    {
        _lab.Neighbours.Learn(NatLab.Gateway, NatLab.GatewayMac, _lab.Now);   // from the gateway's ARP
        var spoofed = Wire.Tcp(NatLab.NeighbourMac, NatLab.PublicMac, NatLab.Gateway, Port, NatLab.Vip, NatLab.HttpPort, TcpFlags.Syn);

        _lab.FromClient(spoofed).ToServer();

        Assert.True(_lab.Neighbours.TryGet(NatLab.Gateway, out var mac));
        Assert.Equal(NatLab.GatewayMac, mac);
    }

    [Fact]
    public void ASegmentThePrivatePortRefuses_IsCountedAsRefused_NotAsForwarded()
    {
        // A GRO super-frame from a vnet port cannot leave through a port without PACKET_VNET_HDR.
        UseLab(new NatLab(publicVnet: true, privateVnet: false, slotSize: 8192));
        Connect();
        var frame = Wire.ClientTcp(Port, TcpFlags.Ack, Wire.Payload(2 * 1448));
        Reference.MakePartial(frame);
        var vnet = new VirtioNetHeader
        {
            Flags = VirtioNetHeaderFlags.NeedsChecksum, GsoType = VirtioGsoType.TcpV4, HeaderLength = 66,
            GsoSize = 1448, ChecksumStart = 34, ChecksumOffset = 16,
        };
        long forwarded = _lab.Engine.Stats.ForwardedToServers;

        var outcome = _lab.FromClient(frame, RxFrameFlags.ChecksumNotReady | RxFrameFlags.HasVnetHeader, vnet);

        outcome.AssertSilent(FrameVerdict.Dropped, DropReason.TransmitRefused);
        Assert.Equal(forwarded, _lab.Engine.Stats.ForwardedToServers);
        Assert.Equal(1, _lab.Private.Counters.TxUnsupported);
    }
}
