using System.Buffers.Binary;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// The NAT rewrites of LVS-NAT (IPVS's tcp/udp_dnat_handler, tcp/udp_snat_handler, ip_vs_nat_icmp),
/// in place and O(1): no byte of payload is read.
///
///   request  client -> VIP:vport      SetDestination(RIP, rport)   (dnat)
///   reply    RIP:rport -> client      SetSource(VIP, vport)        (snat)
///
/// IP header checksum: RFC 1624 update for the address. TCP/UDP checksum, by its status:
///   complete  update for address (pseudo-header) and port together; UDP 0 ("none") stays 0, as
///             netfilter's NAT does (IPVS instead computes a full checksum there; both are valid,
///             and keeping 0 avoids a pass over the payload); a UDP result of 0 is sent as 0xFFFF
///   partial   the field holds only the pseudo-header sum: add the address difference, never the
///             port's, because the port is summed with the header when the checksum is completed
///             (tcp_partial_csum_update / udp_partial_csum_update).
/// ICMP errors: the outer address, the quoted header's address and its checksum, the quoted port;
/// the ICMP checksum follows all three changes incrementally (IPVS recomputes it over the message,
/// which gives the same value). The quoted transport checksum is left as IPVS leaves it.
/// </summary>
public static class Ipv4Rewrite
{
    /// <summary>Request path: destination address and port become the real server's.</summary>
    public static void SetDestination(Ipv4Header ip, TcpHeader tcp, IPv4Address address, ushort port, ChecksumStatus status) =>
        Rewrite(ip.Header, Ipv4Header.DestinationOffset, address.Value,
            tcp.Segment, TcpHeader.DestinationPortOffset, port, TcpHeader.ChecksumOffset, isUdp: false, status);

    /// <summary>Request path: destination address and port become the real server's.</summary>
    public static void SetDestination(Ipv4Header ip, UdpHeader udp, IPv4Address address, ushort port, ChecksumStatus status) =>
        Rewrite(ip.Header, Ipv4Header.DestinationOffset, address.Value,
            udp.Datagram, UdpHeader.DestinationPortOffset, port, UdpHeader.ChecksumOffset, isUdp: true, status);

    /// <summary>Reply path: source address and port become the virtual service's.</summary>
    public static void SetSource(Ipv4Header ip, TcpHeader tcp, IPv4Address address, ushort port, ChecksumStatus status) =>
        Rewrite(ip.Header, Ipv4Header.SourceOffset, address.Value,
            tcp.Segment, TcpHeader.SourcePortOffset, port, TcpHeader.ChecksumOffset, isUdp: false, status);

    /// <summary>Reply path: source address and port become the virtual service's.</summary>
    public static void SetSource(Ipv4Header ip, UdpHeader udp, IPv4Address address, ushort port, ChecksumStatus status) =>
        Rewrite(ip.Header, Ipv4Header.SourceOffset, address.Value,
            udp.Datagram, UdpHeader.SourcePortOffset, port, UdpHeader.ChecksumOffset, isUdp: true, status);

    /// <summary>
    /// An ICMP error from the client side about a reply VIP:vport -> client, going to the real
    /// server: outer destination, quoted source address and quoted source port become the real
    /// server's (ip_vs_nat_icmp with inout = 0).
    /// </summary>
    public static void SetDestination(Ipv4Header ip, IcmpHeader icmp, IcmpQuote quote, IPv4Address address, ushort port) =>
        RewriteIcmpError(ip, icmp, quote, Ipv4Header.DestinationOffset, Ipv4Header.SourceOffset, TcpHeader.SourcePortOffset, address.Value, port);

    /// <summary>
    /// An ICMP error from the private side about a request client -> RIP:rport, going to the
    /// client: outer source, quoted destination address and quoted destination port become the
    /// virtual service's (ip_vs_nat_icmp with inout = 1).
    /// </summary>
    public static void SetSource(Ipv4Header ip, IcmpHeader icmp, IcmpQuote quote, IPv4Address address, ushort port) =>
        RewriteIcmpError(ip, icmp, quote, Ipv4Header.SourceOffset, Ipv4Header.DestinationOffset, TcpHeader.DestinationPortOffset, address.Value, port);

    /// <summary>
    /// Decrements the TTL as a router must (ip_forward, and IPVS's decrement_ttl), updating the
    /// header checksum. Returns <see cref="DropReason.TtlExpired"/> and leaves the packet untouched
    /// when the TTL is 0 or 1.
    /// </summary>
    public static DropReason DecrementTtl(Ipv4Header ip)
    {
        var header = ip.Header;
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(header[8..]);   // TTL | protocol
        if (oldWord >> 8 <= 1) return DropReason.TtlExpired;
        ushort newWord = (ushort)(oldWord - 0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], newWord);
        UpdateHeaderChecksum16(header, oldWord, newWord);
        return DropReason.None;
    }

    private static void Rewrite(
        Span<byte> ipHeader, int addressOffset, uint newAddress,
        Span<byte> transport, int portOffset, ushort newPort, int checksumOffset, bool isUdp, ChecksumStatus status)
    {
        var addressField = ipHeader.Slice(addressOffset, 4);
        var portField = transport.Slice(portOffset, 2);
        var checksumField = transport.Slice(checksumOffset, 2);

        uint oldAddress = BinaryPrimitives.ReadUInt32BigEndian(addressField);
        ushort oldPort = BinaryPrimitives.ReadUInt16BigEndian(portField);
        BinaryPrimitives.WriteUInt32BigEndian(addressField, newAddress);
        BinaryPrimitives.WriteUInt16BigEndian(portField, newPort);
        UpdateHeaderChecksum32(ipHeader, oldAddress, newAddress);

        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(checksumField);
        if (status == ChecksumStatus.Partial)
            checksum = Checksum.UpdatePartial32(checksum, oldAddress, newAddress);
        else if (isUdp && checksum == 0)
            return;   // no checksum stays no checksum
        else
        {
            checksum = Checksum.Update48(checksum, oldAddress, newAddress, oldPort, newPort);
            if (isUdp) checksum = Checksum.NonZeroForUdp(checksum);
        }
        BinaryPrimitives.WriteUInt16BigEndian(checksumField, checksum);
    }

    private static void RewriteIcmpError(
        Ipv4Header ip, IcmpHeader icmp, IcmpQuote quote,
        int outerOffset, int quotedOffset, int quotedPortOffset, uint newAddress, ushort newPort)
    {
        var outer = ip.Header;
        uint oldOuter = BinaryPrimitives.ReadUInt32BigEndian(outer[outerOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(outer[outerOffset..], newAddress);
        UpdateHeaderChecksum32(outer, oldOuter, newAddress);

        // Everything below lies inside the ICMP message, so each change also moves its checksum.
        var quoted = quote.Ip.Header;
        uint oldQuoted = BinaryPrimitives.ReadUInt32BigEndian(quoted[quotedOffset..]);
        ushort oldQuotedChecksum = BinaryPrimitives.ReadUInt16BigEndian(quoted[Ipv4Header.ChecksumOffset..]);
        ushort newQuotedChecksum = Checksum.Update32(oldQuotedChecksum, oldQuoted, newAddress);
        BinaryPrimitives.WriteUInt32BigEndian(quoted[quotedOffset..], newAddress);
        BinaryPrimitives.WriteUInt16BigEndian(quoted[Ipv4Header.ChecksumOffset..], newQuotedChecksum);

        var icmpField = icmp.Message.Slice(IcmpHeader.ChecksumOffset, 2);
        ushort icmpChecksum = Checksum.Update32(BinaryPrimitives.ReadUInt16BigEndian(icmpField), oldQuoted, newAddress);
        icmpChecksum = Checksum.Update16(icmpChecksum, oldQuotedChecksum, newQuotedChecksum);

        byte protocol = quote.Ip.Protocol;
        if (protocol is IpProtocol.Tcp or IpProtocol.Udp)   // only these quote ports there
        {
            var portField = quote.Transport.Slice(quotedPortOffset, 2);
            ushort oldPort = BinaryPrimitives.ReadUInt16BigEndian(portField);
            BinaryPrimitives.WriteUInt16BigEndian(portField, newPort);
            icmpChecksum = Checksum.Update16(icmpChecksum, oldPort, newPort);
        }
        BinaryPrimitives.WriteUInt16BigEndian(icmpField, icmpChecksum);
    }

    private static void UpdateHeaderChecksum32(Span<byte> header, uint oldValue, uint newValue)
    {
        var field = header.Slice(Ipv4Header.ChecksumOffset, 2);
        BinaryPrimitives.WriteUInt16BigEndian(field, Checksum.Update32(BinaryPrimitives.ReadUInt16BigEndian(field), oldValue, newValue));
    }

    private static void UpdateHeaderChecksum16(Span<byte> header, ushort oldValue, ushort newValue)
    {
        var field = header.Slice(Ipv4Header.ChecksumOffset, 2);
        BinaryPrimitives.WriteUInt16BigEndian(field, Checksum.Update16(BinaryPrimitives.ReadUInt16BigEndian(field), oldValue, newValue));
    }
}
