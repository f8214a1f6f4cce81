using System.Buffers.Binary;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// Writes the ICMP error a router sends back when it cannot forward a packet (RFC 792, RFC 1812
/// §4.3.2): "time exceeded" for a TTL that ran out, "fragmentation needed" with the next hop's MTU
/// (RFC 1191) for a DF packet too large for the outgoing link. What the kernel's icmp_send writes:
///
///   Ethernet  to the hop the packet came from, untagged, type IPv4
///   IPv4      20 bytes, TOS = the packet's TOS bits | precedence "internetwork control" (0xC0),
///             no DF, TTL 64, protocol ICMP
///   ICMP      type, code, checksum, 4 bytes (the next-hop MTU in the low 16 bits, or 0), then the
///             offending packet from its IP header on, as much of it as keeps the error within
///             576 bytes (RFC 1812: at least its header and 8 bytes of its payload)
///
/// No allocation; the caller checks that the buffer holds <see cref="FrameLength"/> bytes.
/// </summary>
public static class IcmpError
{
    /// <summary>The largest IP datagram an error may be (RFC 1812 4.3.2.3).</summary>
    public const int MaxDatagram = 576;

    private const int IpHeaderLength = Ipv4Header.MinimumHeaderLength;
    private const int EthernetLength = EthernetFrame.UntaggedHeaderLength;

    /// <summary>How much of a packet of <paramref name="packetLength"/> bytes an error quotes.</summary>
    public static int QuoteLength(int packetLength) =>
        Math.Min(packetLength, MaxDatagram - IpHeaderLength - IcmpHeader.HeaderLength);

    /// <summary>The frame's length for a quote of <paramref name="quoteLength"/> bytes.</summary>
    public static int FrameLength(int quoteLength) => EthernetLength + IpHeaderLength + IcmpHeader.HeaderLength + quoteLength;

    /// <summary>
    /// Writes the error about <paramref name="offending"/> (its IP header and what follows, already cut
    /// to <see cref="QuoteLength"/>) into <paramref name="frame"/>; returns the frame's length.
    /// </summary>
    public static int Write(Span<byte> frame, MacAddress ourMac, MacAddress toMac, IPv4Address from, IPv4Address to,
        byte type, byte code, uint restOfHeader, ReadOnlySpan<byte> offending)
    {
        int ipLength = IpHeaderLength + IcmpHeader.HeaderLength + offending.Length;
        frame = frame[..(EthernetLength + ipLength)];

        toMac.WriteTo(frame);
        ourMac.WriteTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherType.Ipv4);

        var ip = frame[EthernetLength..];
        ip[0] = 0x45;
        // icmp_send: the error keeps the packet's TOS bits and gets the precedence of network control.
        ip[1] = (byte)((offending[1] & 0x1E) | 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt32BigEndian(ip[4..], 0);        // identification 0, no flags, offset 0
        ip[8] = 64;
        ip[9] = IpProtocol.Icmp;
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Header.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip[Ipv4Header.SourceOffset..], from.Value);
        BinaryPrimitives.WriteUInt32BigEndian(ip[Ipv4Header.DestinationOffset..], to.Value);
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Header.ChecksumOffset..], Checksum.Compute(ip[..IpHeaderLength]));

        var icmp = ip[IpHeaderLength..];
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[IcmpHeader.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], restOfHeader);
        offending.CopyTo(icmp[IcmpHeader.HeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[IcmpHeader.ChecksumOffset..], Checksum.Compute(icmp));
        return frame.Length;
    }
}
