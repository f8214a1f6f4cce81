using Microsoft.Extensions.Time.Testing;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// Taking the floating addresses over on the wire: every VIP announced on its own public link from
/// that link's MAC, the NAT router address on the private link from the private MAC, as broadcast
/// gratuitous ARP requests (sender = target = the address, target MAC zero), repeated `count` rounds
/// `spacing` apart, and no further round once the router gave the addresses up.
/// </summary>
public sealed class GratuitousArpAnnouncerTests
{
    private static readonly MacAddress Link0Mac = MacAddress.Parse("02:00:00:00:01:01");
    private static readonly MacAddress Link1Mac = MacAddress.Parse("02:00:00:00:03:01");
    private static readonly MacAddress PrivateMac = MacAddress.Parse("02:00:00:00:02:01");
    private static readonly IPv4Address Vip0 = IPv4Address.Parse("192.0.2.10");
    private static readonly IPv4Address Vip0b = IPv4Address.Parse("192.0.2.11");
    private static readonly IPv4Address Vip1 = IPv4Address.Parse("198.51.100.10");
    private static readonly IPv4Address NatRouter = IPv4Address.Parse("10.0.0.1");

    private static readonly RouterAddresses Router = new(
        [
            new PublicLink(Link0Mac, IPv4Address.Parse("192.0.2.1"), IPv4Address.Parse("192.0.2.0"), IPv4Address.Parse("255.255.255.0")),
            new PublicLink(Link1Mac, IPv4Address.Parse("198.51.100.1"), IPv4Address.Parse("198.51.100.0"), IPv4Address.Parse("255.255.255.0")),
        ],
        PrivateMac, NatRouter);

    private sealed class RecordingSender : IFrameSender
    {
        private readonly List<byte[]> _frames = [];

        public IReadOnlyList<byte[]> Frames
        {
            get { lock (_frames) return [.. _frames]; }
        }

        public void Send(ReadOnlySpan<byte> frame)
        {
            lock (_frames) _frames.Add(frame.ToArray());
        }
    }

    private readonly RecordingSender _pub0 = new(), _pub1 = new(), _priv = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FloatingAddressOwnership _ownership = new();
    private readonly IReadOnlyList<ArpAnnouncement> _plan;

    public GratuitousArpAnnouncerTests()
    {
        var table = new ServiceTable();
        // Added out of order, and Vip0 twice (two ports): the plan names each address once, in address order.
        foreach (var (vip, port) in new[] { (Vip0b, (ushort)80), (Vip1, (ushort)80), (Vip0, (ushort)80), (Vip0, (ushort)443) })
            Assert.Equal(TableResult.Ok, table.AddService(new VirtualServiceConfig(new VirtualServiceKey(Protocol.Tcp, vip, port), "rr")));
        var links = new VipLinks();
        links.Set(new Dictionary<IPv4Address, int> { [Vip0] = 0, [Vip0b] = 0, [Vip1] = 1 });
        _plan = GratuitousArpAnnouncer.Plan(Router, table.Current, links);
    }

    private GratuitousArpAnnouncer Announcer() => new([_pub0, _pub1], _priv, _time, _ownership);

    [Fact]
    public void TheAnnouncement_IsABroadcastRequest_WithTheAddressAsSenderAndTarget_ByteForByte()
    {
        var frame = new byte[ArpPacket.FrameLength];
        Assert.Equal(60, ArpPacket.WriteAnnouncement(frame, Link0Mac, Vip0));

        byte[] expected =
        [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff,   0x02, 0x00, 0x00, 0x00, 0x01, 0x01,   0x08, 0x06,   // broadcast, from us, ARP
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04,   0x00, 0x01,                                      // Ethernet/IPv4, request
            0x02, 0x00, 0x00, 0x00, 0x01, 0x01,   192, 0, 2, 10,                                   // sender: our MAC, the VIP
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,   192, 0, 2, 10,                                   // target: zero MAC, the VIP
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                                  // padding to 60 bytes
        ];
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void ThePlan_IsEveryVipOnItsLink_InAddressOrder_ThenTheNatRouterOnThePrivateSide()
    {
        Assert.Equal(
        [
            new ArpAnnouncement(Vip0, Link0Mac, 0),
            new ArpAnnouncement(Vip0b, Link0Mac, 0),
            new ArpAnnouncement(Vip1, Link1Mac, 1),
            new ArpAnnouncement(NatRouter, PrivateMac, ArpAnnouncement.Private),
        ], _plan);
    }

    [Fact]
    public async Task EachRound_AnnouncesEveryAddressOnItsLink_AndTheRoundsAreSpacedByTheClock()
    {
        var announcer = Announcer();
        var run = announcer.AnnounceAsync(_plan, rounds: 3, TimeSpan.FromMilliseconds(100));

        AssertRounds(1);
        _time.Advance(TimeSpan.FromMilliseconds(99));
        AssertRounds(1);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        WaitFor(() => _priv.Frames.Count == 2);
        AssertRounds(2);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(3, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        AssertRounds(3);
        Assert.Equal((12L, 0L), (announcer.Sent, announcer.Failed));
        _time.Advance(TimeSpan.FromSeconds(1));
        AssertRounds(3);   // nothing after the last round
    }

    [Fact]
    public async Task GivingTheAddressesUp_StopsTheRounds()
    {
        var run = Announcer().AnnounceAsync(_plan, rounds: 5, TimeSpan.FromMilliseconds(100));
        AssertRounds(1);

        _ownership.Release();
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(1, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        AssertRounds(1);
    }

    [Fact]
    public async Task ASendThatFails_IsCounted_AndTheOtherAddressesAreStillAnnounced()
    {
        var broken = new BrokenSender();
        var announcer = new GratuitousArpAnnouncer([_pub0, broken], _priv, _time);

        Assert.Equal(1, await announcer.AnnounceAsync(_plan, rounds: 1, TimeSpan.Zero));

        Assert.Equal((3L, 1L), (announcer.Sent, announcer.Failed));
        Assert.Equal(2, _pub0.Frames.Count);
        Assert.Single(_priv.Frames);
    }

    private sealed class BrokenSender : IFrameSender
    {
        public void Send(ReadOnlySpan<byte> frame) => throw new System.Net.Sockets.SocketException(100);   // ENETDOWN
    }

    /// <summary>Each sender has exactly <paramref name="rounds"/> rounds of its own addresses, each the exact announcement.</summary>
    private void AssertRounds(int rounds)
    {
        AssertAnnounces(_pub0, rounds, (Link0Mac, Vip0), (Link0Mac, Vip0b));
        AssertAnnounces(_pub1, rounds, (Link1Mac, Vip1));
        AssertAnnounces(_priv, rounds, (PrivateMac, NatRouter));
    }

    private static void AssertAnnounces(RecordingSender sender, int rounds, params (MacAddress Mac, IPv4Address Address)[] perRound)
    {
        var frames = sender.Frames;
        Assert.Equal(rounds * perRound.Length, frames.Count);
        var expected = new byte[ArpPacket.FrameLength];
        for (int i = 0; i < frames.Count; i++)
        {
            var (mac, address) = perRound[i % perRound.Length];
            ArpPacket.WriteAnnouncement(expected, mac, address);
            Assert.Equal(expected, frames[i]);
            Wire.AssertArp(frames[i], mac, MacAddress.Broadcast, PacketDotNet.ArpOperation.Request, mac, address, MacAddress.Zero, address);
        }
    }

    /// <summary>A continuation released by the fake clock may finish on another thread: wait for it, bounded.</summary>
    private static void WaitFor(Func<bool> condition) => Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)));
}
