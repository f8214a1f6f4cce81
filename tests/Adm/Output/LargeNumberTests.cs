using UserLvs.Adm.Output;

namespace UserLvs.Adm.Tests.Output;

/// <summary>print_largenum at each boundary: the unit changes at 1e8, 1e9, 1e11 and 1e14, and the quotient is truncated.</summary>
public class LargeNumberTests
{
    [Theory]
    [InlineData(0UL, "        0")]
    [InlineData(99_999_999UL, " 99999999")]
    [InlineData(100_000_000UL, "  100000K")]
    [InlineData(999_999_999UL, "  999999K")]
    [InlineData(1_000_000_000UL, "    1000M")]
    [InlineData(99_999_999_999UL, "   99999M")]
    [InlineData(100_000_000_000UL, "     100G")]
    [InlineData(99_999_999_999_999UL, "   99999G")]
    [InlineData(100_000_000_000_000UL, "     100T")]
    [InlineData(ulong.MaxValue, "18446744T")]
    public void Scaled_UsesIpvsadmsUnits(ulong value, string printed) =>
        Assert.Equal(printed, LargeNumber.Format(value, exact: false));

    [Theory]
    [InlineData(7UL, "        7")]
    [InlineData(12_345_678UL, " 12345678")]
    [InlineData(123_456_789UL, " 123456789")]
    [InlineData(ulong.MaxValue, " 18446744073709551615")]
    public void Exact_KeepsNineColumns_ThenOneSpaceAndAllDigits(ulong value, string printed) =>
        Assert.Equal(printed, LargeNumber.Format(value, exact: true));
}
