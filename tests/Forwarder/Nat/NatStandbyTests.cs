using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;
using PdnArpOperation = PacketDotNet.ArpOperation;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// The active/standby switch (pulse): a router that does not own the floating addresses forwards
/// nothing for them and answers no ARP for them, but still learns its neighbours; the switch takes
/// effect at the next batch, both ways. With AnswerNatRouterArp the engine answers for the NAT router
/// address on the private side, exactly as for a VIP on the public side, and only while active.
/// </summary>
public sealed class NatStandbyTests : IDisposable
{
    private const ushort Port = 40001;
    private readonly NatLab _lab = new(ownership: new FloatingAddressOwnership(owned: false), answerNatRouterArp: true);
    private readonly RealServer[] _servers;

    public NatStandbyTests()
    {
        _servers = _lab.AddService(NatLab.Http);
        _lab.LearnServers();
    }

    public void Dispose() => _lab.Dispose();

    private static byte[] ArpForVip => Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast,
        NatLab.ClientMac, NatLab.Client, MacAddress.Zero, NatLab.Vip);

    private static byte[] ArpForNatRouter(int server = 2) => Wire.Arp(ArpOperation.Request, NatLab.ServerMac(server), MacAddress.Broadcast,
        NatLab.ServerMac(server), NatLab.Rip(server), MacAddress.Zero, NatLab.NatRouter);

    [Fact]
    public void OnStandby_ASynToTheVip_IsDroppedAsStandby_AndNoConnectionIsMade()
    {
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).AssertSilent(FrameVerdict.Dropped, DropReason.Standby);

        Assert.Equal(0, _lab.Connections.Count);
        Assert.Equal((0, 0), (_servers[0].ActiveConnections, _servers[0].InactiveConnections));
        Assert.Equal(1, _lab.Engine.Stats.Dropped(DropReason.Standby));
    }

    [Fact]
    public void OnStandby_ArpForTheVip_IsNotAnswered_ButTheAskerIsLearned()
    {
        _lab.FromClient(ArpForVip).AssertSilent(FrameVerdict.LeftToKernel);

        Assert.True(_lab.Neighbours.TryGet(NatLab.Client, out var mac));
        Assert.Equal(NatLab.ClientMac, mac);
        Assert.Equal(0, _lab.Engine.Stats.Answered);
    }

    [Fact]
    public void OnStandby_ArpForTheNatRouterAddress_IsNotAnswered_ButTheAskerIsLearned()
    {
        _lab.Neighbours.Learn(NatLab.Rip(2), NatLab.ServerMac(1), _lab.Now);   // a stale MAC, to see the learning

        _lab.FromServer(ArpForNatRouter()).AssertSilent(FrameVerdict.LeftToKernel);

        Assert.True(_lab.Neighbours.TryGet(NatLab.Rip(2), out var mac));
        Assert.Equal(NatLab.ServerMac(2), mac);
    }

    [Fact]
    public void Acquiring_TheAddresses_TakesEffectAtTheNextBatch_ForVipTrafficAndBothArps()
    {
        _lab.Ownership.Acquire();

        Wire.AssertToServer(_lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer(), server: 1, Port);
        var vip = _lab.FromClient(ArpForVip);
        Assert.Equal(FrameVerdict.Answered, vip.Verdict);
        Wire.AssertArp(Assert.Single(vip.Public).Bytes, NatLab.PublicMac, NatLab.ClientMac, PdnArpOperation.Response,
            NatLab.PublicMac, NatLab.Vip, NatLab.ClientMac, NatLab.Client);
        var natRouter = _lab.FromServer(ArpForNatRouter());
        Assert.Equal(FrameVerdict.Answered, natRouter.Verdict);
        Assert.Empty(natRouter.Public);
        Wire.AssertArp(Assert.Single(natRouter.Private).Bytes, NatLab.PrivateMac, NatLab.ServerMac(2), PdnArpOperation.Response,
            NatLab.PrivateMac, NatLab.NatRouter, NatLab.ServerMac(2), NatLab.Rip(2));
        Assert.Equal(2, _lab.Engine.Stats.Answered);
    }

    [Fact]
    public void Releasing_TheAddresses_StopsForwardingAnEstablishedConnection_BothWays()
    {
        _lab.Ownership.Acquire();
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Syn)).ToServer();
        _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Syn | TcpFlags.Ack)).ToClient();
        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Ack)).ToServer();

        _lab.Ownership.Release();

        _lab.FromClient(Wire.ClientTcp(Port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(100))).AssertSilent(FrameVerdict.Dropped, DropReason.Standby);
        _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(100))).AssertSilent(FrameVerdict.Dropped, DropReason.Standby);
        // A reply with a FIN would have moved the state: a standby router leaves the connection as it was.
        _lab.FromServer(Wire.ServerTcp(1, Port, TcpFlags.Fin | TcpFlags.Ack)).AssertSilent(FrameVerdict.Dropped, DropReason.Standby);
        Assert.Equal("ESTABLISHED", _lab.ConnectionOf(Port).StateName);
        // The router's own traffic on the private side is still the kernel's.
        var own = Wire.Tcp(NatLab.ServerMac(1), NatLab.PrivateMac, NatLab.Rip(1), 22, NatLab.NatRouter, 50000, TcpFlags.Ack);
        _lab.FromServer(own).AssertSilent(FrameVerdict.LeftToKernel);
    }

    [Fact]
    public void WhenActive_OnlyRequestsForTheNatRouterAddress_AreAnsweredOnThePrivateSide()
    {
        _lab.Ownership.Acquire();
        var forServer = Wire.Arp(ArpOperation.Request, NatLab.ServerMac(2), MacAddress.Broadcast,
            NatLab.ServerMac(2), NatLab.Rip(2), MacAddress.Zero, NatLab.Rip(3));
        var gratuitous = Wire.Arp(ArpOperation.Request, NatLab.ServerMac(2), MacAddress.Broadcast,
            NatLab.ServerMac(2), NatLab.NatRouter, MacAddress.Zero, NatLab.NatRouter);
        var reply = Wire.Arp(ArpOperation.Reply, NatLab.ServerMac(2), NatLab.PrivateMac,
            NatLab.ServerMac(2), NatLab.Rip(2), NatLab.PrivateMac, NatLab.NatRouter);
        var forVipOnPrivate = Wire.Arp(ArpOperation.Request, NatLab.ServerMac(2), MacAddress.Broadcast,
            NatLab.ServerMac(2), NatLab.Rip(2), MacAddress.Zero, NatLab.Vip);

        foreach (var frame in new[] { forServer, gratuitous, reply, forVipOnPrivate })
            _lab.FromServer(frame).AssertSilent(FrameVerdict.LeftToKernel);
        Assert.Equal(0, _lab.Engine.Stats.Answered);
    }

    [Fact]
    public void ByDefault_TheKernelAnswersForTheNatRouterAddress_EvenWhenActive()
    {
        using var lab = new NatLab();
        lab.FromServer(ArpForNatRouter()).AssertSilent(FrameVerdict.LeftToKernel);
        Assert.True(lab.Ownership.IsOwned);
    }
}
