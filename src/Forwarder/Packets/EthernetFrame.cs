using System.Buffers.Binary;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// A view over an Ethernet II frame (without FCS, as AF_PACKET delivers it):
///
///   destination(6) source(6) type(2)                         header 14 bytes
///   destination(6) source(6) 0x8100 TCI(2) inner type(2)     header 18 bytes (one 802.1Q tag)
///
/// Only one 802.1Q tag is unwrapped; a second tag or a QinQ (0x88A8) outer tag is reported as the
/// EtherType and dropped by the caller as unsupported. Reading a field is one big-endian load;
/// nothing is copied. The payload runs to the end of the frame (it may include Ethernet padding,
/// which <see cref="Ipv4Header"/> trims by its total length).
/// </summary>
public readonly ref struct EthernetFrame
{
    public const int UntaggedHeaderLength = 14;
    public const int TaggedHeaderLength = 18;

    private readonly Span<byte> _frame;
    private readonly int _headerLength;

    private EthernetFrame(Span<byte> frame, int headerLength)
    {
        _frame = frame;
        _headerLength = headerLength;
    }

    /// <summary>Validates the header (and the tag, if announced) and returns the view.</summary>
    public static DropReason TryParse(Span<byte> frame, out EthernetFrame ethernet)
    {
        ethernet = default;
        if (frame.Length < UntaggedHeaderLength) return DropReason.TruncatedEthernet;
        int headerLength = UntaggedHeaderLength;
        if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == Packets.EtherType.Vlan)
        {
            if (frame.Length < TaggedHeaderLength) return DropReason.TruncatedEthernet;
            headerLength = TaggedHeaderLength;
        }
        ethernet = new EthernetFrame(frame, headerLength);
        return DropReason.None;
    }

    /// <summary>The whole frame.</summary>
    public Span<byte> Bytes => _frame;

    public MacAddress Destination => MacAddress.Read(_frame);

    public MacAddress Source => MacAddress.Read(_frame[6..]);

    /// <summary>Rewrites the destination MAC (the next hop, after a neighbour lookup).</summary>
    public void SetDestination(MacAddress address) => address.WriteTo(_frame);

    /// <summary>Rewrites the source MAC (the outgoing interface's address).</summary>
    public void SetSource(MacAddress address) => address.WriteTo(_frame[6..]);

    public bool HasVlanTag => _headerLength == TaggedHeaderLength;

    /// <summary>The 802.1Q tag control information (priority 3 bits, DEI 1 bit, VLAN id 12 bits), 0 when untagged.</summary>
    public ushort TagControl => HasVlanTag ? BinaryPrimitives.ReadUInt16BigEndian(_frame[14..]) : (ushort)0;

    /// <summary>The VLAN id (0..4095), 0 when untagged.</summary>
    public ushort VlanId => (ushort)(TagControl & 0x0FFF);

    /// <summary>The 802.1p priority code point (0..7), 0 when untagged.</summary>
    public byte Priority => (byte)(TagControl >> 13);

    /// <summary>The type of the payload: after the tag when one is present.</summary>
    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_frame[(_headerLength - 2)..]);

    public int HeaderLength => _headerLength;

    /// <summary>Everything after the header, padding included.</summary>
    public Span<byte> Payload => _frame[_headerLength..];
}
