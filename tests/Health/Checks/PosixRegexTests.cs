using System.Buffers;
using System.Text;
using UserLvs.Health.Checks;

namespace UserLvs.Health.Tests.Checks;

/// <summary>
/// use_regex patterns mean what nanny's regcomp(REG_EXTENDED) makes of them, not what .NET would:
/// each row is a POSIX extended pattern, a reply, and whether glibc's regexec finds it there.
/// </summary>
public sealed class PosixRegexTests
{
    [Theory]
    [InlineData("HTTP/1\\.[01] [[:digit:]]{3}", "HTTP/1.1 200 OK\r\n", true)]
    [InlineData("^[[:alpha:]]+$", "ready", true)]
    [InlineData("^[[:alpha:]]+$", "ready1", false)]
    [InlineData("[[:space:]]OK", "+ OK", true)]
    [InlineData("^[[:upper:][:digit:]_]+$", "OK_200", true)]
    [InlineData("^[^[:digit:]]+$", "no digits", true)]
    [InlineData("^[^[:digit:]]+$", "one 1", false)]
    [InlineData("[\\d]", "\\", true)]             // a backslash in brackets is itself
    [InlineData("[\\d]", "7", false)]
    [InlineData("^[]x]+$", "]x]", true)]          // ']' first in a bracket is a member
    [InlineData("^a{,2}b$", "aab", true)]         // glibc: {,n} is 0 to n
    [InlineData("^a{,2}b$", "aaab", false)]
    [InlineData("start.*end", "start\nend", true)]   // '.' crosses lines (no REG_NEWLINE)
    [InlineData("OK$", "OK\n", false)]            // '$' is the very end
    [InlineData("OK$", "all OK", true)]
    [InlineData("\\<OK\\>", "is OK now", true)]   // glibc word boundaries
    [InlineData("\\<OK\\>", "NOK", false)]
    [InlineData("(ok|ready)+", "not ready", true)]
    [InlineData("^\\+OK[^\\r\\n]*ready", "+OK POP3 server ready\r\n", true)]   // lvs.cf "^\+OK[^\r\n]*ready": \r and \n are bytes, as nanny's convert_str makes them
    [InlineData("^\\+OK[^\\r\\n]*ready", "+OK\r\nready", false)]
    [InlineData("HTTP/1\\\\.1", "HTTP/1.1", true)]     // lvs.cf "HTTP/1\\.1": \\ is one backslash, then \. a literal dot
    [InlineData("HTTP/1\\\\.1", "HTTP/1x1", false)]
    public void APattern_MatchesWhatRegexecWouldMatch(string pattern, string reply, bool matches)
    {
        var expectation = ReplyExpectation.From(pattern, useRegex: true);

        var result = expectation.Judge(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(reply)), complete: true);

        Assert.Equal(matches, result?.Passed ?? false);
    }

    [Theory]
    [InlineData("[[:digits:]]", "unknown character class [:digits:]")]
    [InlineData("[abc", "unterminated [")]
    public void APatternRegcompWouldRefuse_IsRefused(string pattern, string reason) =>
        Assert.Contains(reason, Assert.ThrowsAny<ArgumentException>(() => PosixRegex.Compile(pattern, TimeSpan.FromSeconds(1))).Message);
}
