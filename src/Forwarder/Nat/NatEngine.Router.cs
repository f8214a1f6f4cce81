using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// What the kernel's IP layer checks around IPVS, which a userspace forwarder must check itself:
/// frames of VLAN devices stacked on a link, martian sources, and the one-hop checks before a packet
/// leaves (TTL, the outgoing link's MTU), with the ICMP errors a router sends back for the last two.
/// </summary>
public sealed partial class NatEngine
{
    /// <summary>
    /// A frame tagged with a VLAN id belongs to a VLAN device on top of this link (eth0.42), whose own
    /// addresses and routes the kernel knows; UserLvs serves the untagged traffic of the devices it was
    /// given (a VIP on a VLAN names the VLAN device). The tag arrives as metadata (the kernel took it
    /// out: AF_PACKET's tp_vlan_tci) or in the frame (libpcap puts it back). VLAN id 0 is a priority
    /// tag on untagged traffic.
    /// </summary>
    private static bool IsForVlanDevice(in RxFrame frame, EthernetFrame ethernet) =>
        ((frame.Flags & RxFrameFlags.VlanValid) != 0 && (frame.VlanTci & 0x0FFF) != 0) ||
        (ethernet.HasVlanTag && ethernet.VlanId != 0);

    /// <summary>
    /// ip_route_input's martian sources, which never reach IPVS: 0.0.0.0/8, 127/8, multicast and the
    /// limited broadcast, and (fib_validate_source) an address of this router's own, a VIP or the
    /// link's. Checked before a connection is made.
    /// </summary>
    private bool IsMartianSource(IPv4Address source, int link)
    {
        uint first = source.Value >> 24;
        return first is 0 or 127 || (first & 0xF0) == 0xE0 || source.Value == uint.MaxValue ||
            source == _router.PublicLinks[link].Address || _snapshot.VirtualAddresses.Contains(source);
    }

    /// <summary>
    /// Whether the packet may take one more hop, to a link of <paramref name="mtu"/>: as IPVS's
    /// ip_vs_nat_xmit (decrement_ttl, ensure_mtu_is_adequate) and the kernel's ip_forward, a TTL that
    /// would reach 0 gets "time exceeded" and a DF packet too large for the link gets "fragmentation
    /// needed" with the link's MTU, sent back out <paramref name="back"/> from <paramref name="from"/>.
    /// Checked before the packet is rewritten, so the error quotes it as its sender sent it.
    /// </summary>
    private DropReason CheckHop(in RxFrame frame, EthernetFrame ethernet, Ipv4Header ip, int mtu,
        IFrameIo back, MacAddress backMac, IPv4Address from, long now)
    {
        if (ip.Ttl <= 1)
        {
            SendIcmpError(back, backMac, ethernet, ip, from, IcmpHeader.TimeExceeded, 0, 0, now);
            return DropReason.TtlExpired;
        }
        if (SegmentLength(in frame, ip) > mtu)
        {
            if (ip.DontFragment)
                SendIcmpError(back, backMac, ethernet, ip, from, IcmpHeader.DestinationUnreachable, IcmpHeader.FragmentationNeeded, (uint)mtu, now);
            return DropReason.ExceedsMtu;
        }
        return DropReason.None;
    }

    /// <summary>
    /// The largest IP datagram the packet becomes on the wire: itself, or for a GSO super-frame (GRO
    /// merged it on the way in; the kernel splits it on the way out) one segment: its IP and transport
    /// headers and gso_size bytes of payload.
    /// </summary>
    private static int SegmentLength(in RxFrame frame, Ipv4Header ip)
    {
        if ((frame.Flags & RxFrameFlags.HasVnetHeader) == 0 || !frame.Vnet.IsGso) return ip.TotalLength;
        int transport = ip.Protocol == IpProtocol.Tcp && TcpHeader.TryParse(ip.Payload, out var tcp) == DropReason.None
            ? tcp.HeaderLength
            : UdpHeader.HeaderLength;
        return ip.HeaderLength + transport + frame.Vnet.GsoSize;
    }

    /// <summary>
    /// Sends an ICMP error about <paramref name="ip"/> to its sender, through the hop it came from,
    /// within this worker's <see cref="IcmpErrorBudget"/>. The packet is dropped either way; an error
    /// that finds no budget or no transmit slot is counted and not sent.
    /// </summary>
    private void SendIcmpError(IFrameIo port, MacAddress ourMac, EthernetFrame ethernet, Ipv4Header ip, IPv4Address from,
        byte type, byte code, uint restOfHeader, long now)
    {
        if (!_icmpErrors.TryTake(now))
        {
            Stats.IcmpErrorsSuppressed++;
            return;
        }
        int quote = IcmpError.QuoteLength(ip.Bytes.Length);
        var tx = port.AcquireTx();
        if (tx.Length < IcmpError.FrameLength(quote))
        {
            Stats.IcmpErrorsSuppressed++;
            return;
        }
        int length = IcmpError.Write(tx, ourMac, ethernet.Source, from, ip.Source, type, code, restOfHeader, ip.Bytes[..quote]);
        if (port.CommitTx(length)) Stats.IcmpErrorsSent++;
        else Stats.IcmpErrorsSuppressed++;
    }
}
