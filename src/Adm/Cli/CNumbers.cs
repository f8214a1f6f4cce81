namespace UserLvs.Adm.Cli;

/// <summary>
/// The C library's number readers as ipvsadm uses them, so that values it accepts or refuses are
/// accepted or refused alike: strtol (leading white space, a sign, decimal digits, the whole word)
/// behind string_to_number, and inet_aton, which takes 1 to 4 parts in decimal, octal (leading 0)
/// or hex (0x), the last part filling the remaining bytes ("10.1" is 10.0.0.1), and ignores anything
/// after a white-space character.
/// </summary>
internal static class CNumbers
{
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    /// <summary>strtol(s, &amp;end, 10) that must consume all of <paramref name="s"/>; false on no digits, junk or overflow.</summary>
    public static bool TryStrtol(string s, out long value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && IsSpace(s[i])) i++;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        int digits = i;
        decimal magnitude = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            magnitude = magnitude * 10 + (s[i++] - '0');
            if (magnitude > (decimal)long.MaxValue + 1) magnitude = (decimal)long.MaxValue + 2; // ERANGE, keep reading
        }
        if (i == digits || i != s.Length) return false;
        if (negative ? magnitude > (decimal)long.MaxValue + 1 : magnitude > long.MaxValue) return false;
        value = negative ? (long)-magnitude : (long)magnitude;
        return true;
    }

    /// <summary>ipvsadm's string_to_number: the value when it is a whole number in [min, max], else -1.</summary>
    public static long StringToNumber(string s, long min, long max) =>
        TryStrtol(s, out long value) && value >= min && value <= max ? value : -1;

    /// <summary>glibc's inet_aton; the address in host order.</summary>
    public static bool TryInetAton(string s, out uint address)
    {
        address = 0;
        Span<uint> parts = stackalloc uint[4];
        int count = 0;
        int i = 0;
        ulong value;
        while (true)
        {
            if (i >= s.Length || !char.IsAsciiDigit(s[i])) return false;
            if (!TryStrtoulBase0(s, ref i, out value)) return false;
            if (i < s.Length && s[i] == '.')
            {
                if (count > 2 || value > 0xff) return false;
                parts[count++] = (uint)value;
                i++;
                continue;
            }
            break;
        }
        if (i < s.Length && !(s[i] < 128 && IsSpace(s[i]))) return false;
        ulong[] limits = [0xffffffff, 0xffffff, 0xffff, 0xff];
        if (value > limits[count]) return false;
        uint result = (uint)value;
        for (int p = 0; p < count; p++) result |= parts[p] << (24 - 8 * p);
        address = result;
        return true;
    }

    // strtoul(s, &end, 0) from a digit: 0x.. hex, 0.. octal, else decimal; false when above 32 bits.
    private static bool TryStrtoulBase0(string s, ref int i, out ulong value)
    {
        value = 0;
        int radix = 10;
        if (s[i] == '0')
        {
            if (i + 2 < s.Length && (s[i + 1] == 'x' || s[i + 1] == 'X') && char.IsAsciiHexDigit(s[i + 2]))
            {
                radix = 16;
                i += 2;
            }
            else
            {
                radix = 8;
            }
        }
        bool overflow = false;
        while (i < s.Length)
        {
            int digit = s[i] switch
            {
                >= '0' and <= '9' => s[i] - '0',
                >= 'a' and <= 'f' => s[i] - 'a' + 10,
                >= 'A' and <= 'F' => s[i] - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix) break;
            value = value * (ulong)radix + (ulong)digit;
            if (value > 0xffffffff)
            {
                overflow = true;
                value = 0x100000000;
            }
            i++;
        }
        return !overflow;
    }
}
