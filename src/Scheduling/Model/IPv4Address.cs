using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace UserLvs.Scheduling;

/// <summary>
/// An IPv4 address as a host-order 32-bit value: what the hot path compares, hashes and masks
/// without allocating an <see cref="IPAddress"/>.
/// </summary>
public readonly record struct IPv4Address(uint Value) : IComparable<IPv4Address>
{
    public static IPv4Address Any => new(0);

    public static IPv4Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 address");

    /// <summary>Accepts only dotted quads (a.b.c.d), as ipvsadm and lvs.cf do; "10" or "1.2.3" are refused.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IPv4Address address)
    {
        address = default;
        if (string.IsNullOrEmpty(text) || text.Count(c => c == '.') != 3) return false;
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return false;
        Span<byte> bytes = stackalloc byte[4];
        ip.TryWriteBytes(bytes, out _);
        address = new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        return true;
    }

    /// <summary>A netmask from a prefix length (0..32).</summary>
    public static IPv4Address FromPrefixLength(int bits) =>
        new(bits == 0 ? 0u : uint.MaxValue << (32 - bits));

    /// <summary>The prefix length when this value is a contiguous netmask, otherwise -1.</summary>
    public int PrefixLength
    {
        get
        {
            int bits = System.Numerics.BitOperations.PopCount(Value);
            return FromPrefixLength(bits).Value == Value ? bits : -1;
        }
    }

    public IPv4Address Mask(IPv4Address netmask) => new(Value & netmask.Value);

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return new IPAddress(bytes);
    }

    public int CompareTo(IPv4Address other) => Value.CompareTo(other.Value);

    public override string ToString() =>
        $"{Value >> 24}.{(Value >> 16) & 0xff}.{(Value >> 8) & 0xff}.{Value & 0xff}";
}
