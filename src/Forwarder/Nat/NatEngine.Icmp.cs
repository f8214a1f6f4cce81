using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// ICMP errors that quote a tracked connection, translated like the connection itself (path-MTU
/// discovery through the balancer). As ip_vs_in_icmp / ip_vs_out_icmp: only destination unreachable,
/// source quench and time exceeded are related to a connection, and only when the quoted datagram is
/// a first fragment (a later one carries no ports); anything else is the kernel's.
/// </summary>
public sealed partial class NatEngine
{
    /// <summary>An ICMP error from the client side about a reply VIP:vport -> client (e.g. fragmentation needed).</summary>
    private FrameVerdict IcmpFromClient(in RxFrame frame, EthernetFrame ethernet, Ipv4Header ip)
    {
        var reason = IcmpHeader.TryParse(ip.Payload, out var icmp);
        if (reason != DropReason.None) return Drop(reason);
        if (!icmp.IsConnectionError) return ToKernel();
        if (!icmp.IsChecksumValid) return Drop(DropReason.BadIcmpChecksum);
        reason = icmp.TryGetQuote(out var quote);
        if (reason != DropReason.None) return Drop(reason);
        if (quote.Ip.FragmentOffset != 0) return ToKernel();
        var protocol = quote.Ip.Protocol == IpProtocol.Tcp ? Protocol.Tcp : quote.Ip.Protocol == IpProtocol.Udp ? Protocol.Udp : (Protocol)0;
        if (protocol == 0) return ToKernel();
        // The quoted packet is one we sent: VIP:vport -> client:cport.
        int index = _connections.LookupInbound(protocol, quote.Ip.Destination, quote.DestinationPort,
            quote.Ip.Source, quote.SourcePort, 0, long.MinValue);
        if (index == ConnectionTable.NotFound) return Drop(DropReason.IcmpWithoutConnection);
        ref readonly var connection = ref _connections[index];
        if (!_neighbours.TryGet(connection.RealAddress, out var serverMac)) return Drop(DropReason.NeighbourUnresolved);
        Ipv4Rewrite.SetDestination(ip, icmp, quote, connection.RealAddress, connection.RealPort);
        var sent = Send(_private, in frame, ethernet, ip, _router.PrivateMac, serverMac);
        if (sent != DropReason.None) return Drop(sent);
        Stats.ForwardedToServers++;
        return FrameVerdict.Forwarded;
    }

    /// <summary>An ICMP error from the private side about a request client -> RIP:rport.</summary>
    private FrameVerdict IcmpFromServerSide(in RxFrame frame, EthernetFrame ethernet, Ipv4Header ip)
    {
        var reason = IcmpHeader.TryParse(ip.Payload, out var icmp);
        if (reason != DropReason.None) return Drop(reason);
        if (!icmp.IsConnectionError) return ToKernel();
        if (icmp.TryGetQuote(out var quote) != DropReason.None || quote.Ip.FragmentOffset != 0) return ToKernel();
        if (!icmp.IsChecksumValid) return Drop(DropReason.BadIcmpChecksum);
        var protocol = quote.Ip.Protocol == IpProtocol.Tcp ? Protocol.Tcp : quote.Ip.Protocol == IpProtocol.Udp ? Protocol.Udp : (Protocol)0;
        if (protocol == 0) return ToKernel();
        // The quoted packet is one we forwarded: client:cport -> RIP:rport.
        int index = _connections.LookupOutbound(protocol, quote.Ip.Destination, quote.DestinationPort,
            quote.Ip.Source, quote.SourcePort, long.MinValue);
        if (index == ConnectionTable.NotFound) return ToKernel();
        if (!_owned) return Drop(DropReason.Standby);
        ref readonly var connection = ref _connections[index];
        int link = _vipLinks.LinkOf(connection.VirtualAddress);
        var publicLink = _router.PublicLinks[link];
        var nextHop = publicLink.NextHopTo(connection.ClientAddress);
        if (!_neighbours.TryGet(nextHop, out var nextHopMac)) return Drop(DropReason.NeighbourUnresolved);
        Ipv4Rewrite.SetSource(ip, icmp, quote, connection.VirtualAddress, connection.VirtualPort);
        var sent = Send(_publics[link], in frame, ethernet, ip, publicLink.Mac, nextHopMac);
        if (sent != DropReason.None) return Drop(sent);
        Stats.ForwardedToClients++;
        return FrameVerdict.Forwarded;
    }
}
