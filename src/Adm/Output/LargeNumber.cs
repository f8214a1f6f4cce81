using System.Globalization;

namespace UserLvs.Adm.Output;

/// <summary>
/// ipvsadm's print_largenum, the columns of --stats and --rate. Scaled (default): below 100 million
/// the number right-aligned in 9 columns; else the quotient in 8 columns and a unit: K (/1e3, below
/// 1e9), M (/1e6, below 1e11), G (/1e9, below 1e14), T (/1e12). Exact (--exact): the whole number,
/// 9 columns for up to 8 digits, else one space and the digits.
/// </summary>
internal static class LargeNumber
{
    public static string Format(ulong value, bool exact)
    {
        string digits = value.ToString(CultureInfo.InvariantCulture);
        if (exact) return digits.PadLeft(digits.Length <= 8 ? 9 : digits.Length + 1);
        return value switch
        {
            < 100_000_000UL => digits.PadLeft(9),
            < 1_000_000_000UL => Unit(value / 1_000UL, 'K'),
            < 100_000_000_000UL => Unit(value / 1_000_000UL, 'M'),
            < 100_000_000_000_000UL => Unit(value / 1_000_000_000UL, 'G'),
            _ => Unit(value / 1_000_000_000_000UL, 'T'),
        };
    }

    private static string Unit(ulong quotient, char unit) =>
        quotient.ToString(CultureInfo.InvariantCulture).PadLeft(8) + unit;
}
