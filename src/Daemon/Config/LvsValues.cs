using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

/// <summary>
/// The value types of lvs.cf, each parsed strictly and with a message that names the key, shows the
/// bad text and gives a valid example. Addresses are dotted quads only (no host names: a config
/// check must not depend on DNS, and leading zeros are refused because inet_aton would read them as
/// octal). Seconds accept fractions down to a microsecond (keepalive = 0.01). Never throws.
/// </summary>
internal static class LvsValues
{
    public const int MaxDeviceLength = 15;   // IFNAMSIZ - 1, for names and alias labels alike

    public static bool TryBool(string key, string text, out bool value, out string? error)
    {
        value = text == "1";
        error = text is "0" or "1" ? null : $"'{key}' must be 0 or 1, not '{text}'";
        return error is null;
    }

    public static bool TryInteger(string key, string text, long min, long max, out long value, out string? error)
    {
        value = 0;
        error = null;
        bool digits = text.Length is > 0 and <= 18;
        foreach (char c in text) digits &= c is >= '0' and <= '9';
        if (digits && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max)
            return true;
        error = $"'{key}' must be an integer from {min} to {max}, not '{text}'";
        return false;
    }

    /// <summary>Seconds as "S" or "S.FFFFFF": digits only, no sign, no exponent.</summary>
    public static bool TrySeconds(string key, string text, bool allowZero, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        int dot = text.IndexOf('.');
        string whole = dot < 0 ? text : text[..dot];
        string fraction = dot < 0 ? "" : text[(dot + 1)..];
        bool ok = whole.Length is > 0 and <= 9 && (dot < 0 || fraction.Length is > 0 and <= 6);
        foreach (char c in whole) ok &= c is >= '0' and <= '9';
        foreach (char c in fraction) ok &= c is >= '0' and <= '9';
        if (ok)
        {
            long ticks = long.Parse(whole, System.Globalization.CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond;
            if (fraction.Length > 0)
                ticks += long.Parse(fraction.PadRight(7, '0'), System.Globalization.CultureInfo.InvariantCulture);
            value = TimeSpan.FromTicks(ticks);
            if (allowZero || ticks > 0) return true;
        }
        error = allowZero
            ? $"'{key}' must be a number of seconds, such as 0, 2 or 0.5, not '{text}'"
            : $"'{key}' must be a number of seconds greater than 0, such as 2 or 0.5, not '{text}'";
        return false;
    }

    public static bool TryAddress(string key, string text, out IPv4Address value, out string? error)
    {
        error = TryDottedQuad(text, out value) ? null : $"'{key}' must be an IPv4 address such as 192.0.2.10, not '{text}'";
        return error is null;
    }

    /// <summary>A netmask: a dotted quad whose one-bits are contiguous from the left.</summary>
    public static bool TryNetmask(string key, string text, out IPv4Address value, out string? error)
    {
        error = TryDottedQuad(text, out value) && value.PrefixLength >= 0
            ? null
            : $"'{key}' must be a netmask such as 255.255.255.0, not '{text}'";
        return error is null;
    }

    /// <summary>A Linux interface name, optionally with an alias label: eth0, eth0:1, bond0.100.</summary>
    public static bool TryDevice(string text, out string? error)
    {
        int colon = text.IndexOf(':');
        string baseName = colon < 0 ? text : text[..colon];
        string label = colon < 0 ? "" : text[(colon + 1)..];
        bool ok = text.Length <= MaxDeviceLength && baseName.Length > 0 && baseName is not "." and not ".."
            && (colon < 0 || label.Length > 0);
        foreach (char c in baseName) ok &= IsDeviceChar(c);
        foreach (char c in label) ok &= IsDeviceChar(c);
        error = ok ? null : $"'{text}' is not a valid device name (expected a name such as eth0 or eth0:1)";
        return ok;
    }

    private static bool IsDeviceChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.' or '@';

    private static bool TryDottedQuad(string text, out IPv4Address address)
    {
        address = default;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        uint value = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')) return false;
            uint octet = 0;
            foreach (char c in part)
            {
                if (c is < '0' or > '9') return false;
                octet = octet * 10 + (uint)(c - '0');
            }
            if (octet > 255) return false;
            value = (value << 8) | octet;
        }
        address = new IPv4Address(value);
        return true;
    }
}
