using UserLvs.Health.Checks;

namespace UserLvs.Health.Tests.Checks;

public sealed class CheckTextTests
{
    [Theory]
    [InlineData(@"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\r\n\r\n")]
    [InlineData(@"a\tb", "a\tb")]
    [InlineData(@"say \""hi\"" \\ done", "say \"hi\" \\ done")]
    [InlineData(@"unknown \x stays", @"unknown \x stays")]
    [InlineData(@"trailing \", @"trailing \")]
    [InlineData(@"it\'s", "it's")]
    public void Unescape_InterpretsPiranhasEscapes_AndLeavesOthers(string raw, string bytes) =>
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(bytes), CheckText.Unescape(raw));

    [Fact]
    public void Quote_TruncatesLongRepliesWithAnEllipsis() =>
        Assert.Equal("'SSH-2.0-OpenSSH_9.2p1 Debian-2+d…'", CheckText.Quote("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"u8));

    [Fact]
    public void Quote_EscapesWhatWouldBreakALogLine() =>
        Assert.Equal(@"'ok\r\n\x00\xff\'q\''", CheckText.Quote([(byte)'o', (byte)'k', 13, 10, 0, 0xff, (byte)'\'', (byte)'q', (byte)'\'']));

    [Theory]
    [InlineData(2000, "timed out after 2s")]
    [InlineData(500, "timed out after 0.5s")]
    [InlineData(1250, "timed out after 1.25s")]
    public void TimedOut_SaysTheDeadlineInSeconds(int milliseconds, string text) =>
        Assert.Equal(text, CheckText.TimedOut(TimeSpan.FromMilliseconds(milliseconds)));
}
