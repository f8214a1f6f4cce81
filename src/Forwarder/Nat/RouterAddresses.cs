using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// Who the router is on its segments: on each public link (where clients and that link's VIPs are)
/// its MAC, address, MTU and how to reach clients; on the private side its MAC, MTU and the NAT
/// router address (the real servers' gateway).
/// </summary>
public sealed class RouterAddresses
{
    /// <summary>Ethernet's MTU, for links whose MTU nobody gave.</summary>
    public const int DefaultMtu = 1500;

    /// <summary>The smallest MTU an IPv4 link may have (RFC 791: a 60-byte header and 8 bytes of data).</summary>
    public const int MinimumMtu = 68;

    public RouterAddresses(IReadOnlyList<PublicLink> publicLinks, MacAddress privateMac, IPv4Address natRouterAddress,
        int privateMtu = DefaultMtu)
    {
        if (publicLinks.Count == 0) throw new ArgumentException("a router needs at least one public link", nameof(publicLinks));
        foreach (var link in publicLinks) CheckMtu(link.Mtu, nameof(publicLinks));
        CheckMtu(privateMtu, nameof(privateMtu));
        PublicLinks = publicLinks;
        PrivateMac = privateMac;
        NatRouterAddress = natRouterAddress;
        PrivateMtu = privateMtu;
    }

    /// <summary>A router with one public link.</summary>
    public RouterAddresses(MacAddress PublicMac, IPv4Address PublicAddress, IPv4Address PublicNetwork, IPv4Address PublicNetmask,
        MacAddress PrivateMac, IPv4Address NatRouterAddress, IPv4Address? PublicGateway = null)
        : this([new PublicLink(PublicMac, PublicAddress, PublicNetwork, PublicNetmask, PublicGateway)], PrivateMac, NatRouterAddress)
    {
    }

    public IReadOnlyList<PublicLink> PublicLinks { get; }
    public MacAddress PrivateMac { get; }
    public IPv4Address NatRouterAddress { get; }

    /// <summary>The largest IP datagram the private device sends to the real servers.</summary>
    public int PrivateMtu { get; }

    // The first public link, for callers that have only one.
    public MacAddress PublicMac => PublicLinks[0].Mac;
    public IPv4Address PublicAddress => PublicLinks[0].Address;

    private static void CheckMtu(int mtu, string parameter)
    {
        if (mtu < MinimumMtu) throw new ArgumentOutOfRangeException(parameter, mtu, $"an IPv4 link's MTU is at least {MinimumMtu}");
    }
}

/// <summary>
/// One public device: its MAC and address, its on-link network, the gateway for clients beyond it,
/// and its MTU (the largest IP datagram it sends to clients).
/// </summary>
public sealed record PublicLink(MacAddress Mac, IPv4Address Address, IPv4Address Network, IPv4Address Netmask, IPv4Address? Gateway = null,
    int Mtu = RouterAddresses.DefaultMtu)
{
    /// <summary>The host a reply to <paramref name="client"/> is handed to on this link.</summary>
    public IPv4Address NextHopTo(IPv4Address client) =>
        IsOnLink(client) || Gateway is null ? client : Gateway.Value;

    public bool IsOnLink(IPv4Address address) => address.Mask(Netmask) == Network;
}
