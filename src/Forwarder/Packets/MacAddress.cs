using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace UserLvs.Forwarder.Packets;

/// <summary>
/// A 48-bit Ethernet address held in the low bits of a <see cref="ulong"/>, first octet most
/// significant: compared, hashed and copied as one integer, read and written with two big-endian
/// loads (16 + 32 bits), never a <c>PhysicalAddress</c> or a byte array on the hot path.
/// </summary>
public readonly record struct MacAddress(ulong Value)
{
    public const int Length = 6;
    private const ulong Mask = 0xFFFF_FFFF_FFFFUL;

    public static MacAddress Zero => default;

    public static MacAddress Broadcast => new(Mask);

    /// <summary>The group bit (least significant bit of the first octet): broadcast and multicast.</summary>
    public bool IsMulticast => (Value & 0x0100_0000_0000UL) != 0;

    public bool IsBroadcast => Value == Mask;

    public static MacAddress Read(ReadOnlySpan<byte> source) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));

    public void WriteTo(Span<byte> destination)
    {
        // Write the later 4 bytes first: one bounds check covers both writes.
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Value);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a MAC address");

    /// <summary>Six two-digit hex octets separated by ':' or '-' ("02:00:5e:10:00:01"), as ip link prints them.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress address)
    {
        address = default;
        if (text is null || text.Length != 17) return false;
        char separator = text[2];
        if (separator != ':' && separator != '-') return false;
        ulong value = 0;
        for (int i = 0; i < 6; i++)
        {
            int at = i * 3;
            if (i < 5 && text[at + 2] != separator) return false;
            if (!byte.TryParse(text.AsSpan(at, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte octet))
                return false;
            value = (value << 8) | octet;
        }
        address = new MacAddress(value);
        return true;
    }

    public override string ToString() => string.Create(17, Value, static (chars, value) =>
    {
        for (int i = 0; i < 6; i++)
        {
            byte octet = (byte)(value >> (40 - 8 * i));
            chars[i * 3] = HexDigit(octet >> 4);
            chars[i * 3 + 1] = HexDigit(octet & 0xF);
            if (i < 5) chars[i * 3 + 2] = ':';
        }
    });

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
