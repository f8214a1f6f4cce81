using UserLvs.Adm.Cli;

namespace UserLvs.Adm.Tests.Cli;

/// <summary>The C readers behind ipvsadm's arguments: inet_aton's forms and strtol's whole-word rule.</summary>
public class CNumbersTests
{
    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("10", "0.0.0.10")]
    [InlineData("10.1", "10.0.0.1")]
    [InlineData("10.1.2", "10.1.0.2")]
    [InlineData("10.0.256", "10.0.1.0")]           // the last part fills 16 bits
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("010.0.0.1", "8.0.0.1")]           // leading 0 is octal
    [InlineData("3221225994", "192.0.2.10")]
    [InlineData("192.0.2.10 junk", "192.0.2.10")]  // anything after white space is ignored
    public void InetAton_Accepts(string text, string address)
    {
        Assert.True(CNumbers.TryInetAton(text, out uint value));
        Assert.Equal(address, new IPv4Address(value).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("192.0.2.")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.256")]
    [InlineData("09.1.1.1")]
    [InlineData("4294967296")]
    [InlineData("host")]
    [InlineData("1.2.3.4x")]
    public void InetAton_Refuses(string text) => Assert.False(CNumbers.TryInetAton(text, out _));

    [Theory]
    [InlineData("80", 80L)]
    [InlineData("+80", 80L)]
    [InlineData(" 80", 80L)]
    [InlineData("-0", 0L)]
    [InlineData("65535", 65535L)]
    [InlineData("65536", -1L)]
    [InlineData("80 ", -1L)]
    [InlineData("", -1L)]
    [InlineData("+", -1L)]
    [InlineData("0x50", -1L)]
    [InlineData("99999999999999999999", -1L)]
    public void StringToNumber_IsAWholeDecimalWordInRange(string text, long value) =>
        Assert.Equal(value, CNumbers.StringToNumber(text, 0, 65535));
}
