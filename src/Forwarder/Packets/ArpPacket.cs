using System.Buffers.Binary;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Packets;

/// <summary>ARP operation codes (RFC 826): ARPOP_REQUEST and ARPOP_REPLY.</summary>
public enum ArpOperation : ushort
{
    Request = 1,
    Reply = 2,
}

/// <summary>
/// A view over an Ethernet/IPv4 ARP packet (RFC 826), and the writer of the frames the router
/// sends itself: replies for the VIPs and the NAT router address it owns (the kernel must not
/// answer for them), and gratuitous ARP when a router takes the addresses over.
///
///   htype(2)=1 ptype(2)=0x0800 hlen(1)=6 plen(1)=4 op(2) sha(6) spa(4) tha(6) tpa(4)   = 28 bytes
///
/// Anything else (other hardware or protocol types, other lengths) is <see cref="DropReason.UnsupportedArp"/>.
/// </summary>
public readonly ref struct ArpPacket
{
    public const int Length = 28;

    /// <summary>The length of a written frame: Ethernet header + ARP + zero padding up to Ethernet's 60-byte minimum.</summary>
    public const int FrameLength = 60;

    private const ushort HardwareEthernet = 1;

    private readonly Span<byte> _packet;

    private ArpPacket(Span<byte> packet) => _packet = packet;

    /// <summary>Validates an ARP payload (the Ethernet payload; trailing padding is ignored).</summary>
    public static DropReason TryParse(Span<byte> payload, out ArpPacket arp)
    {
        arp = default;
        if (payload.Length < Length) return DropReason.TruncatedArp;
        if (BinaryPrimitives.ReadUInt16BigEndian(payload) != HardwareEthernet
            || BinaryPrimitives.ReadUInt16BigEndian(payload[2..]) != EtherType.Ipv4
            || payload[4] != MacAddress.Length
            || payload[5] != 4)
            return DropReason.UnsupportedArp;
        arp = new ArpPacket(payload[..Length]);
        return DropReason.None;
    }

    public ArpOperation Operation => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_packet[6..]);

    public MacAddress SenderMac => MacAddress.Read(_packet[8..]);

    public IPv4Address SenderIp => new(BinaryPrimitives.ReadUInt32BigEndian(_packet[14..]));

    public MacAddress TargetMac => MacAddress.Read(_packet[18..]);

    public IPv4Address TargetIp => new(BinaryPrimitives.ReadUInt32BigEndian(_packet[24..]));

    /// <summary>Sender and target protocol address are the same: an announcement, not a question.</summary>
    public bool IsGratuitous => SenderIp == TargetIp;

    /// <summary>
    /// Writes an untagged ARP reply frame into <paramref name="frame"/>: "<paramref name="ourIp"/> is at
    /// <paramref name="ourMac"/>", unicast to the asker. Returns <see cref="FrameLength"/>.
    /// </summary>
    public static int WriteReply(Span<byte> frame, MacAddress ourMac, IPv4Address ourIp, MacAddress askerMac, IPv4Address askerIp) =>
        Write(frame, askerMac, ourMac, ArpOperation.Reply, ourMac, ourIp, askerMac, askerIp);

    /// <summary>
    /// Writes a broadcast ARP request "who has <paramref name="target"/>? tell <paramref name="ourIp"/>",
    /// how the router learns a real server's or a client's MAC. Returns <see cref="FrameLength"/>.
    /// </summary>
    public static int WriteRequest(Span<byte> frame, MacAddress ourMac, IPv4Address ourIp, IPv4Address target) =>
        Write(frame, MacAddress.Broadcast, ourMac, ArpOperation.Request, ourMac, ourIp, MacAddress.Zero, target);

    /// <summary>
    /// Writes a gratuitous ARP frame announcing <paramref name="address"/> at <paramref name="mac"/>, broadcast,
    /// with sender and target protocol address both the announced address. A request carries a zero target
    /// hardware address (RFC 5227's announcement); a reply repeats our own, as heartbeat's send_arp does.
    /// Linux neighbours update an existing entry from either. Returns <see cref="FrameLength"/>.
    ///
    /// Takeover announcements use the request form (the default), as keepalived's VRRP and `arping -U`
    /// do: RFC 826's receiver merges the sender's addresses into an existing entry before it even looks
    /// at the operation, so every stack updates from a request, whereas some hosts and switches ignore
    /// replies they did not ask for; RFC 5227 section 3 names the request form "ARP Announcement".
    /// </summary>
    public static int WriteGratuitous(Span<byte> frame, MacAddress mac, IPv4Address address, ArpOperation operation = ArpOperation.Request) =>
        Write(frame, MacAddress.Broadcast, mac, operation, mac, address,
            operation == ArpOperation.Request ? MacAddress.Zero : mac, address);

    /// <summary>The takeover announcement "<paramref name="address"/> is at <paramref name="mac"/>": a broadcast gratuitous request.</summary>
    public static int WriteAnnouncement(Span<byte> frame, MacAddress mac, IPv4Address address) =>
        WriteGratuitous(frame, mac, address, ArpOperation.Request);

    private static int Write(
        Span<byte> frame, MacAddress ethernetDestination, MacAddress ethernetSource, ArpOperation operation,
        MacAddress senderMac, IPv4Address senderIp, MacAddress targetMac, IPv4Address targetIp)
    {
        if (frame.Length < FrameLength) ThrowTooSmall();
        frame = frame[..FrameLength];
        ethernetDestination.WriteTo(frame);
        ethernetSource.WriteTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherType.Arp);
        var arp = frame[EthernetFrame.UntaggedHeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, HardwareEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherType.Ipv4);
        arp[4] = MacAddress.Length;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], (ushort)operation);
        senderMac.WriteTo(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], senderIp.Value);
        targetMac.WriteTo(arp[18..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], targetIp.Value);
        // Pad to 60 bytes ourselves: not every driver pads short frames, and a runt is dropped on the wire.
        arp[Length..].Clear();
        return FrameLength;
    }

    private static void ThrowTooSmall() =>
        throw new ArgumentException($"An ARP frame needs {FrameLength} bytes", "frame");
}
