using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;
using PdnArpOperation = PacketDotNet.ArpOperation;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// ARP around the NAT router: requests for a VIP are answered from the public MAC (the kernel does
/// not own the VIPs); everything else is the kernel's; every ARP sender is learned. A real server
/// whose MAC is unknown gets a "who-has RIP tell NAT-router" from the private MAC (once per second
/// at most), the packet is dropped, and the sender's retransmission goes through once the reply is in.
/// </summary>
public sealed class NatArpTests : IDisposable
{
    private readonly NatLab _lab = new();

    public NatArpTests() => _lab.AddService(NatLab.Http);

    public void Dispose() => _lab.Dispose();

    [Fact]
    public void ArpRequestForTheVip_IsAnsweredFromThePublicMac_AndTheAskerIsLearned()
    {
        var request = Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast,
            NatLab.ClientMac, NatLab.Client, MacAddress.Zero, NatLab.Vip);

        var outcome = _lab.FromClient(request);

        Assert.Equal((FrameVerdict.Answered, DropReason.None), (outcome.Verdict, outcome.Reason));
        Assert.Empty(outcome.Private);
        Wire.AssertArp(Assert.Single(outcome.Public).Bytes, NatLab.PublicMac, NatLab.ClientMac, PdnArpOperation.Response,
            NatLab.PublicMac, NatLab.Vip, NatLab.ClientMac, NatLab.Client);
        Assert.True(_lab.Neighbours.TryGet(NatLab.Client, out var mac));
        Assert.Equal(NatLab.ClientMac, mac);
        Assert.Equal(1, _lab.Engine.Stats.Answered);
    }

    public static TheoryData<string, byte[]> KernelArp => new()
    {
        { "request for the router's own public address", Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast,
            NatLab.ClientMac, NatLab.Client, MacAddress.Zero, NatLab.PublicAddress) },
        { "request for another host", Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast,
            NatLab.ClientMac, NatLab.Client, MacAddress.Zero, NatLab.Neighbour) },
        { "reply about the client", Wire.Arp(ArpOperation.Reply, NatLab.ClientMac, NatLab.PublicMac,
            NatLab.ClientMac, NatLab.Client, NatLab.PublicMac, NatLab.PublicAddress) },
        { "gratuitous announcement of the VIP by another host", Wire.Arp(ArpOperation.Request, NatLab.ClientMac, MacAddress.Broadcast,
            NatLab.ClientMac, NatLab.Vip, MacAddress.Zero, NatLab.Vip) },
    };

    [Theory]
    [MemberData(nameof(KernelArp))]
    public void ArpThatIsNotARequestForAVip_IsLeftToTheKernel(string description, byte[] frame)
    {
        _lab.FromClient(frame).AssertSilent(FrameVerdict.LeftToKernel);
        Assert.True(_lab.Engine.Stats.Answered == 0, description);
    }

    [Fact]
    public void ArpOnThePrivateSide_IsLearned_AndLeftToTheKernel()
    {
        var reply = Wire.Arp(ArpOperation.Reply, NatLab.ServerMac(2), NatLab.PrivateMac,
            NatLab.ServerMac(2), NatLab.Rip(2), NatLab.PrivateMac, NatLab.NatRouter);

        _lab.FromServer(reply).AssertSilent(FrameVerdict.LeftToKernel);

        Assert.True(_lab.Neighbours.TryGet(NatLab.Rip(2), out var mac));
        Assert.Equal(NatLab.ServerMac(2), mac);
    }

    [Fact]
    public void ASynToAnUnresolvedServer_IsDropped_AndAnArpRequestGoesOutOnThePrivateSide()
    {
        var syn = Wire.ClientTcp(40001, TcpFlags.Syn);

        var outcome = _lab.FromClient(syn);

        Assert.Equal((FrameVerdict.Dropped, DropReason.NeighbourUnresolved), (outcome.Verdict, outcome.Reason));
        Assert.Empty(outcome.Public);
        Wire.AssertArp(Assert.Single(outcome.Private).Bytes, NatLab.PrivateMac, MacAddress.Broadcast, PdnArpOperation.Request,
            NatLab.PrivateMac, NatLab.NatRouter, MacAddress.Zero, NatLab.Rip(1));
        Assert.Equal(1, _lab.Engine.Stats.ArpRequestsSent);
    }

    [Fact]
    public void OnceTheServerAnswersArp_TheRetransmittedSyn_IsForwardedOnTheSameConnection()
    {
        var syn = Wire.ClientTcp(40001, TcpFlags.Syn);
        Assert.Equal(DropReason.NeighbourUnresolved, _lab.FromClient(syn).Reason);

        // A retransmission within the second: still unresolved, and no second request.
        _lab.Now += 300;
        _lab.FromClient(syn).AssertSilent(FrameVerdict.Dropped, DropReason.NeighbourUnresolved);

        _lab.FromServer(Wire.Arp(ArpOperation.Reply, NatLab.ServerMac(1), NatLab.PrivateMac,
            NatLab.ServerMac(1), NatLab.Rip(1), NatLab.PrivateMac, NatLab.NatRouter)).AssertSilent(FrameVerdict.LeftToKernel);

        _lab.Now += 700;
        Wire.AssertToServer(_lab.FromClient(syn).ToServer(), server: 1, 40001);
        Assert.Equal(1, _lab.Connections.Count);
        var server = _lab.Services.Current.Find(NatLab.Http)!.RealServers[0];
        Assert.Equal((1, 0), (server.ActiveConnections, server.InactiveConnections));
        Assert.Equal(1, _lab.Engine.Stats.ArpRequestsSent);
    }

    [Fact]
    public void AStillUnresolvedServer_IsAskedAgain_AfterASecond()
    {
        var syn = Wire.ClientTcp(40001, TcpFlags.Syn);
        Assert.Single(_lab.FromClient(syn).Private);

        _lab.Now += 999;
        Assert.Empty(_lab.FromClient(syn).Private);
        _lab.Now += 1;
        var outcome = _lab.FromClient(syn);

        Assert.Equal(DropReason.NeighbourUnresolved, outcome.Reason);
        Wire.AssertArp(Assert.Single(outcome.Private).Bytes, NatLab.PrivateMac, MacAddress.Broadcast, PdnArpOperation.Request,
            NatLab.PrivateMac, NatLab.NatRouter, MacAddress.Zero, NatLab.Rip(1));
        Assert.Equal(2, _lab.Engine.Stats.ArpRequestsSent);
    }
}
