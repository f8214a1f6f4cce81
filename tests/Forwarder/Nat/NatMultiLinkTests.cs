using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// Several VIPs on several public devices (lvs.cf: `address = VIP eth0:1` and `address = VIP2 eth2:1`):
/// each VIP's ARP is answered, its traffic accepted and its replies sent on its own link only.
/// </summary>
public sealed class NatMultiLinkTests : IDisposable
{
    private static readonly MacAddress Link0Mac = MacAddress.Parse("02:00:00:00:01:01");
    private static readonly MacAddress Link1Mac = MacAddress.Parse("02:00:00:00:03:01");
    private static readonly MacAddress PrivateMac = MacAddress.Parse("02:00:00:00:02:01");
    private static readonly IPv4Address Vip0 = IPv4Address.Parse("192.0.2.10");
    private static readonly IPv4Address Vip1 = IPv4Address.Parse("198.51.100.10");
    private static readonly IPv4Address Client1 = IPv4Address.Parse("198.51.100.100");
    private static readonly MacAddress Client1Mac = MacAddress.Parse("02:00:00:00:00:77");
    private static readonly IPv4Address Rip = IPv4Address.Parse("10.0.0.11");
    private static readonly MacAddress RipMac = MacAddress.Parse("02:00:00:00:02:0b");

    private readonly MemoryFrameIo _pub0 = new("pub0");
    private readonly MemoryFrameIo _pub1 = new("pub1");
    private readonly MemoryFrameIo _priv = new("priv0");
    private readonly NatEngine _engine;
    private readonly RxFrame[] _frames = new RxFrame[4];
    private readonly ServiceTable _table = new();
    private readonly VipLinks _links = new();

    public NatMultiLinkTests()
    {
        var table = _table;
        foreach (var vip in new[] { Vip0, Vip1 })
        {
            var key = new VirtualServiceKey(Protocol.Tcp, vip, 80);
            table.AddService(new VirtualServiceConfig(key, "rr"));
            table.AddRealServer(key, new RealServer(Rip, 80));
        }
        var router = new RouterAddresses(
            [
                new PublicLink(Link0Mac, IPv4Address.Parse("192.0.2.1"), IPv4Address.Parse("192.0.2.0"), IPv4Address.Parse("255.255.255.0")),
                new PublicLink(Link1Mac, IPv4Address.Parse("198.51.100.1"), IPv4Address.Parse("198.51.100.0"), IPv4Address.Parse("255.255.255.0")),
            ],
            PrivateMac, IPv4Address.Parse("10.0.0.1"));
        var links = _links;
        links.Set(new Dictionary<IPv4Address, int> { [Vip0] = 0, [Vip1] = 1 });
        var neighbours = new NeighbourTable();
        neighbours.Learn(Rip, RipMac, 0);
        neighbours.Learn(Client1, Client1Mac, 0);
        _engine = new NatEngine(table, new ConnectionTable(64, new IpvsTimeouts()), null, neighbours, router,
            [_pub0, _pub1], _priv, links);
    }

    [Fact]
    public void ArpForAVip_IsAnsweredOnItsOwnLink_WithThatLinksMac_AndIgnoredOnAnother()
    {
        var request = Wire.Arp(ArpOperation.Request, Client1Mac, MacAddress.Broadcast, Client1Mac, Client1, MacAddress.Zero, Vip1);
        Assert.Equal(FrameVerdict.Answered, Public(_pub1, 1, request));
        var reply = Assert.Single(Drain(_pub1));
        Wire.AssertArp(reply, Link1Mac, Client1Mac, PacketDotNet.ArpOperation.Response, Link1Mac, Vip1, Client1Mac, Client1);
        Assert.Empty(Drain(_pub0));

        Assert.Equal(FrameVerdict.LeftToKernel, Public(_pub0, 0, request));
        Assert.Empty(Drain(_pub0));
    }

    [Fact]
    public void AConnectionToTheSecondLinksVip_RepliesLeaveOnThatLink()
    {
        var syn = Wire.Tcp(Client1Mac, Link1Mac, Client1, 40001, Vip1, 80, TcpFlags.Syn);
        Assert.Equal(FrameVerdict.Forwarded, Public(_pub1, 1, syn));
        Wire.AssertTcp(Assert.Single(Drain(_priv)), PrivateMac, RipMac, Client1, 40001, Rip, 80);

        var synAck = Wire.Tcp(RipMac, PrivateMac, Rip, 80, Client1, 40001, TcpFlags.Syn | TcpFlags.Ack);
        Assert.Equal(FrameVerdict.Forwarded, Private(synAck));

        Wire.AssertTcp(Assert.Single(Drain(_pub1)), Link1Mac, Client1Mac, Vip1, 80, Client1, 40001);
        Assert.Empty(Drain(_pub0));
    }

    [Fact]
    public void AVipAReloadRemoved_KeepsItsLink_SoItsSurvivingConnectionsRepliesStillLeaveThere()
    {
        var syn = Wire.Tcp(Client1Mac, Link1Mac, Client1, 40003, Vip1, 80, TcpFlags.Syn);
        Assert.Equal(FrameVerdict.Forwarded, Public(_pub1, 1, syn));
        Drain(_priv);

        // A reload without Vip1's service: the table loses it, the links are published without it.
        Assert.Equal(TableResult.Ok, _table.DeleteService(new VirtualServiceKey(Protocol.Tcp, Vip1, 80)));
        _links.Set(new Dictionary<IPv4Address, int> { [Vip0] = 0 });

        var synAck = Wire.Tcp(RipMac, PrivateMac, Rip, 80, Client1, 40003, TcpFlags.Syn | TcpFlags.Ack);
        Assert.Equal(FrameVerdict.Forwarded, Private(synAck));

        Wire.AssertTcp(Assert.Single(Drain(_pub1)), Link1Mac, Client1Mac, Vip1, 80, Client1, 40003);
        Assert.Empty(Drain(_pub0));
        Assert.Equal(1, _links.LinkOf(Vip1));
    }

    [Fact]
    public void TrafficForAVip_ArrivingOnAnotherLink_IsNotOurs()
    {
        var syn = Wire.Tcp(Client1Mac, Link0Mac, Client1, 40002, Vip1, 80, TcpFlags.Syn);
        Assert.Equal(FrameVerdict.LeftToKernel, Public(_pub0, 0, syn));
        Assert.Empty(Drain(_priv));
    }

    private FrameVerdict Public(MemoryFrameIo port, int link, byte[] frame)
    {
        port.EnqueueReceive(frame);
        _engine.BeginBatch(0);
        Assert.Equal(1, port.Receive(_frames));
        var verdict = _engine.FromPublic(in _frames[0], link, 0);
        _engine.EndBatch(0);
        port.ReleaseReceived();
        return verdict;
    }

    private FrameVerdict Private(byte[] frame)
    {
        _priv.EnqueueReceive(frame);
        _engine.BeginBatch(0);
        Assert.Equal(1, _priv.Receive(_frames));
        var verdict = _engine.FromPrivate(in _frames[0], 0);
        _engine.EndBatch(0);
        _priv.ReleaseReceived();
        return verdict;
    }

    private static List<byte[]> Drain(MemoryFrameIo port)
    {
        var frames = new List<byte[]>();
        while (port.TakeTransmitted(out _) is { } bytes) frames.Add(bytes);
        return frames;
    }

    public void Dispose()
    {
        _pub0.Dispose();
        _pub1.Dispose();
        _priv.Dispose();
    }
}
