using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// Who the router is on its segments: on each public link (where clients and that link's VIPs are)
/// its MAC, address and how to reach clients; on the private side its MAC and the NAT router address
/// (the real servers' gateway).
/// </summary>
public sealed class RouterAddresses
{
    public RouterAddresses(IReadOnlyList<PublicLink> publicLinks, MacAddress privateMac, IPv4Address natRouterAddress)
    {
        if (publicLinks.Count == 0) throw new ArgumentException("a router needs at least one public link", nameof(publicLinks));
        PublicLinks = publicLinks;
        PrivateMac = privateMac;
        NatRouterAddress = natRouterAddress;
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

    // The first public link, for callers that have only one.
    public MacAddress PublicMac => PublicLinks[0].Mac;
    public IPv4Address PublicAddress => PublicLinks[0].Address;
}

/// <summary>
/// One public device: its MAC and address, its on-link network, and the gateway for clients beyond it.
/// </summary>
public sealed record PublicLink(MacAddress Mac, IPv4Address Address, IPv4Address Network, IPv4Address Netmask, IPv4Address? Gateway = null)
{
    /// <summary>The host a reply to <paramref name="client"/> is handed to on this link.</summary>
    public IPv4Address NextHopTo(IPv4Address client) =>
        IsOnLink(client) || Gateway is null ? client : Gateway.Value;

    public bool IsOnLink(IPv4Address address) => address.Mask(Netmask) == Network;
}
