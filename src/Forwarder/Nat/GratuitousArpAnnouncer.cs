using System.Net.Sockets;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>One address to announce, and where: a public link (by index) or the private side.</summary>
public readonly record struct ArpAnnouncement(IPv4Address Address, MacAddress Mac, int PublicLink)
{
    /// <summary>The value of <see cref="PublicLink"/> for the private side (the NAT router address).</summary>
    public const int Private = -1;

    public bool IsPrivate => PublicLink == Private;
}

/// <summary>
/// Takes the floating addresses over on the wire, as pulse (send_arp) and keepalived do on becoming
/// active: gratuitous ARP announcements (<see cref="ArpPacket.WriteAnnouncement"/>) for every VIP on
/// its public link, from that link's MAC, and for the NAT router address on the private link, from
/// the private MAC, so that clients, the gateway and the real servers replace the old router's MAC.
///
///   round 1..count:  one announcement per address (VIPs in address order, then the NAT router)
///                    then wait `spacing` (not after the last round)
///
/// Repeating covers a lost frame and a switch that learns late. The rounds stop early when the
/// router gives the addresses up meanwhile (<see cref="FloatingAddressOwnership"/>), so a demoted
/// router never announces after its successor. Frames go out through <see cref="IFrameSender"/>s
/// (a <see cref="LinkLayerSender"/> per device), never through the workers' rings; a send that
/// fails is counted and the rest go on. Time comes from a <see cref="TimeProvider"/>.
/// </summary>
public sealed class GratuitousArpAnnouncer
{
    private readonly IReadOnlyList<IFrameSender> _publicSenders;
    private readonly IFrameSender _privateSender;
    private readonly TimeProvider _time;
    private readonly FloatingAddressOwnership? _ownership;
    private long _sent;
    private long _failed;

    /// <param name="publicSenders">One sender per public link, in <see cref="RouterAddresses.PublicLinks"/> order.</param>
    /// <param name="privateSender">The sender on the private device.</param>
    /// <param name="ownership">When given, rounds stop as soon as it says the addresses were given up.</param>
    public GratuitousArpAnnouncer(IReadOnlyList<IFrameSender> publicSenders, IFrameSender privateSender, TimeProvider time,
        FloatingAddressOwnership? ownership = null)
    {
        _publicSenders = publicSenders;
        _privateSender = privateSender;
        _time = time;
        _ownership = ownership;
    }

    /// <summary>Announcements sent.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Announcements whose send failed (the device is down, ...).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// What a router takes over: every VIP of <paramref name="snapshot"/> on the link <paramref name="vipLinks"/>
    /// gives it, from that link's MAC, in address order; then the NAT router address from the private MAC.
    /// </summary>
    public static IReadOnlyList<ArpAnnouncement> Plan(RouterAddresses router, ServiceTableSnapshot snapshot, VipLinks vipLinks)
    {
        var plan = new List<ArpAnnouncement>();
        foreach (var vip in snapshot.VirtualAddresses.Order())
        {
            int link = vipLinks.LinkOf(vip);
            if ((uint)link < (uint)router.PublicLinks.Count) plan.Add(new ArpAnnouncement(vip, router.PublicLinks[link].Mac, link));
        }
        plan.Add(new ArpAnnouncement(router.NatRouterAddress, router.PrivateMac, ArpAnnouncement.Private));
        return plan;
    }

    /// <summary>Sends <paramref name="rounds"/> rounds of <paramref name="plan"/>, <paramref name="spacing"/> apart; returns the rounds sent.</summary>
    public async Task<int> AnnounceAsync(IReadOnlyList<ArpAnnouncement> plan, int rounds, TimeSpan spacing, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rounds);
        ArgumentOutOfRangeException.ThrowIfLessThan(spacing, TimeSpan.Zero);
        var frame = new byte[ArpPacket.FrameLength];
        for (int round = 0; round < rounds; round++)
        {
            if (round > 0) await Task.Delay(spacing, _time, cancellation).ConfigureAwait(false);
            if (cancellation.IsCancellationRequested || (_ownership is not null && !_ownership.IsOwned)) return round;
            foreach (var announcement in plan) Send(announcement, frame);
        }
        return rounds;
    }

    private void Send(ArpAnnouncement announcement, byte[] frame)
    {
        var sender = announcement.IsPrivate ? _privateSender : _publicSenders[announcement.PublicLink];
        ArpPacket.WriteAnnouncement(frame, announcement.Mac, announcement.Address);
        try
        {
            sender.Send(frame);
            Interlocked.Increment(ref _sent);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _failed);
        }
        catch (ObjectDisposedException)
        {
            Interlocked.Increment(ref _failed);
        }
    }
}
