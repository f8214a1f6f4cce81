namespace UserLvs.Forwarder;

/// <summary>
/// Why the forwarder refused a frame. Parsers return one of these instead of throwing, so the
/// worker loop can count drops per reason (one array slot each) and move on to the next frame.
/// Checks follow the kernel's receive path (eth_type_trans, arp_rcv, ip_rcv_core, tcp_v4_rcv,
/// __udp4_lib_rcv, icmp_rcv), which IPVS relies on having run before it sees a packet.
/// </summary>
public enum DropReason
{
    /// <summary>Nothing wrong: the frame was parsed (or forwarded).</summary>
    None = 0,

    /// <summary>Shorter than the 14-byte Ethernet header, or than 18 bytes when an 802.1Q tag is announced.</summary>
    TruncatedEthernet,

    /// <summary>Neither IPv4 nor ARP (IPv6, a second VLAN tag, an 802.3 length field, ...): not ours to forward.</summary>
    UnsupportedEtherType,

    /// <summary>ARP payload shorter than the 28 bytes of an Ethernet/IPv4 ARP packet.</summary>
    TruncatedArp,

    /// <summary>ARP for another hardware or protocol type, or with address lengths other than 6 and 4.</summary>
    UnsupportedArp,

    /// <summary>Fewer bytes than the IPv4 header needs: 20, or IHL*4 when options are announced.</summary>
    TruncatedIpv4Header,

    /// <summary>The version nibble is not 4.</summary>
    BadIpv4Version,

    /// <summary>IHL below 5 words: the header would be shorter than its fixed part.</summary>
    BadIhl,

    /// <summary>The total length field exceeds the bytes the frame carries (a truncated or lying packet).</summary>
    TotalLengthExceedsFrame,

    /// <summary>The total length field is smaller than the header itself.</summary>
    TotalLengthBelowHeader,

    /// <summary>The IPv4 header checksum does not verify (ip_rcv_core drops these before IPVS sees them).</summary>
    BadIpv4HeaderChecksum,

    /// <summary>An IPv4 fragment (MF set or offset not 0): there is no reassembly, and later fragments carry no ports.</summary>
    Fragment,

    /// <summary>TTL 0 or 1 on a packet that would be forwarded: it must not leave with TTL 0. A TCP or UDP
    /// packet's sender gets an ICMP "time exceeded" (as IPVS's decrement_ttl); an ICMP error gets none.</summary>
    TtlExpired,

    /// <summary>An IP protocol other than TCP, UDP and ICMP.</summary>
    UnsupportedProtocol,

    /// <summary>Fewer than 20 bytes of TCP header.</summary>
    TruncatedTcpHeader,

    /// <summary>TCP data offset below 5 words or pointing past the end of the segment.</summary>
    BadTcpDataOffset,

    /// <summary>Fewer than 8 bytes of UDP header.</summary>
    TruncatedUdpHeader,

    /// <summary>UDP length below 8 or larger than the IP payload.</summary>
    BadUdpLength,

    /// <summary>Fewer than the 8 bytes of an ICMP header.</summary>
    TruncatedIcmp,

    /// <summary>The ICMP checksum over the whole message does not verify.</summary>
    BadIcmpChecksum,

    /// <summary>An ICMP error that quotes less than an IPv4 header plus 8 bytes of its transport header.</summary>
    TruncatedIcmpQuote,

    /// <summary>An ICMP error whose quoted datagram is not IPv4 or has an IHL below 5.</summary>
    BadIcmpQuote,

    // The forwarder's own reasons, after parsing succeeded.

    /// <summary>The backend's slot was smaller than the frame (a GRO super-frame into a small ring): never forwarded cut.</summary>
    TruncatedByBackend,

    /// <summary>A TCP segment other than a SYN for a connection the table does not hold (IPVS schedules only on SYN).</summary>
    NoConnection,

    /// <summary>The scheduler found no available real server (all quiesced or overloaded).</summary>
    NoRealServer,

    /// <summary>The connection table is full: the new connection is refused, established ones are untouched.</summary>
    ConnectionTableFull,

    /// <summary>The next hop's MAC is not known yet; an ARP request went out and the sender will retransmit.</summary>
    NeighbourUnresolved,

    /// <summary>Every transmit slot of the outgoing port was in flight.</summary>
    TransmitRingFull,

    /// <summary>Larger than the outgoing port's transmit slot.</summary>
    FrameTooLargeForTransmit,

    /// <summary>An ICMP error about a connection the table does not hold.</summary>
    IcmpWithoutConnection,

    /// <summary>
    /// Traffic of a floating address (to a VIP, or a real server's reply on a known connection) while this
    /// router is standby: the active router forwards it; forwarding a second copy would duplicate it.
    /// </summary>
    Standby,
    /// <summary>The kernel dropped the frame before the worker saw it: the port's receive ring was full
    /// (AF_PACKET PACKET_STATISTICS tp_drops; counted by the worker about once a second).</summary>
    RingOverflow,

    /// <summary>The outgoing port refused the frame after it was copied: a GSO super-frame or a checksum
    /// request that a backend without PACKET_VNET_HDR cannot finish (the port counts it as TxUnsupported).</summary>
    TransmitRefused,

    /// <summary>
    /// Larger than the outgoing link's MTU (for a GSO super-frame: one of its segments). With DF set an
    /// ICMP "fragmentation needed" carrying that MTU went back to the sender, as IPVS's
    /// ensure_mtu_is_adequate does, so path-MTU discovery shrinks the connection; without DF the packet
    /// is dropped, since UserLvs does not fragment.
    /// </summary>
    ExceedsMtu,

    /// <summary>A source no host may send from (0.0.0.0/8, 127/8, multicast, the limited broadcast, or
    /// an address of this router's own): the kernel's martian-source check, which IPVS relies on.</summary>
    MartianSource,
}
