using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// Who the router is on its two segments: its MAC and address on the public side (where clients
/// and the VIPs are) and on the private side (the NAT router address, the real servers' gateway),
/// plus how to reach clients: directly when they are inside <see cref="PublicNetwork"/>, else
/// through <see cref="PublicGateway"/>.
/// </summary>
public sealed record RouterAddresses(
    MacAddress PublicMac,
    IPv4Address PublicAddress,
    IPv4Address PublicNetwork,
    IPv4Address PublicNetmask,
    MacAddress PrivateMac,
    IPv4Address NatRouterAddress,
    IPv4Address? PublicGateway = null)
{
    /// <summary>The host a reply to <paramref name="client"/> is handed to on the public segment.</summary>
    public IPv4Address NextHopTo(IPv4Address client) =>
        client.Mask(PublicNetmask) == PublicNetwork || PublicGateway is null ? client : PublicGateway.Value;

    public bool IsOnLink(IPv4Address address) => address.Mask(PublicNetmask) == PublicNetwork;
}
