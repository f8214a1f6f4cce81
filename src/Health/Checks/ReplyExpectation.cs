using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace UserLvs.Health.Checks;

/// <summary>
/// What a real server's reply must look like (lvs.cf <c>expect</c>), judged on what has arrived so
/// far so a check ends as soon as the answer is known:
///   plain text  the reply must START with it (escapes interpreted): decided once that many bytes are
///               in, or at once when the first bytes already differ;
///   "*"         any reply of at least one byte;
///   use_regex   a POSIX extended regular expression, as nanny's regcomp reads it (see
///               <see cref="PosixRegex"/>) once nanny's escapes (\r \n ...) became bytes, searched
///               in the reply (write ^ to anchor it), read as Latin-1 so every byte is one
///               character; evaluated with a match timeout.
/// A program's output (send_program) is judged whole by <see cref="JudgeOutput"/>: there nanny wants
/// plain text to be the output exactly, less its last newline.
/// At most <see cref="MaxReply"/> bytes are looked at; a reply that ends (or reaches that size)
/// without the answer fails with what came back.
/// </summary>
public abstract class ReplyExpectation
{
    public const int MaxReply = 4096;
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>Pass, fail with a reason, or null when more of the reply is needed.</summary>
    /// <param name="complete">No more bytes will come (end of stream, a whole datagram, or <see cref="MaxReply"/> reached).</param>
    public abstract CheckResult? Judge(ReadOnlySequence<byte> received, bool complete);

    public static ReplyExpectation From(string expect, bool useRegex) =>
        useRegex ? new RegexReply(PosixRegex.Compile(CheckText.UnescapeText(expect), RegexTimeout), expect)
        : expect == "*" ? new AnyReply()
        : new PrefixReply(CheckText.Unescape(expect));

    /// <summary>The HTTP probe's rule: an "HTTP/1.x NNN" status line, whatever the status.</summary>
    public static ReplyExpectation HttpStatusLine { get; } = new StatusLineReply();

    protected static CheckResult NoReply() => CheckResult.Fail("no reply (connection closed)");

    /// <summary>A send_program's whole output against expect.</summary>
    public virtual CheckResult JudgeOutput(byte[] output) =>
        Judge(new ReadOnlySequence<byte>(output), complete: true) ?? NoReply();

    private sealed class PrefixReply(byte[] prefix) : ReplyExpectation
    {
        public override CheckResult? Judge(ReadOnlySequence<byte> received, bool complete)
        {
            if (received.IsEmpty) return complete ? (prefix.Length == 0 ? CheckResult.Pass : NoReply()) : null;
            int n = (int)Math.Min(received.Length, prefix.Length);
            Span<byte> head = stackalloc byte[Math.Min(n, 256)];
            if (n > head.Length) head = new byte[n];
            received.Slice(0, n).CopyTo(head);
            if (!head.SequenceEqual(prefix.AsSpan(0, n)) || (n < prefix.Length && complete))
                return CheckResult.Fail($"expected {CheckText.Quote(prefix)} but got {CheckText.Quote(received.ToArray())}");
            return n == prefix.Length ? CheckResult.Pass : null;
        }

        public override CheckResult JudgeOutput(byte[] output)
        {
            var printed = output.AsSpan();
            if (printed.Length > 0 && printed[^1] == (byte)'\n') printed = printed[..^1];
            return printed.SequenceEqual(prefix)
                ? CheckResult.Pass
                : CheckResult.Fail($"expected {CheckText.Quote(prefix)} but got {CheckText.Quote(output)}");
        }
    }

    private sealed class AnyReply : ReplyExpectation
    {
        public override CheckResult? Judge(ReadOnlySequence<byte> received, bool complete) =>
            !received.IsEmpty ? CheckResult.Pass : complete ? NoReply() : null;
    }

    private sealed class RegexReply(Regex regex, string pattern) : ReplyExpectation
    {
        public override CheckResult? Judge(ReadOnlySequence<byte> received, bool complete)
        {
            if (received.IsEmpty) return complete ? NoReply() : null;
            try
            {
                if (regex.IsMatch(Encoding.Latin1.GetString(received))) return CheckResult.Pass;
            }
            catch (RegexMatchTimeoutException)
            {
                return CheckResult.Fail($"expect /{pattern}/ took too long to match");
            }
            return complete
                ? CheckResult.Fail($"expected /{pattern}/ but got {CheckText.Quote(received.ToArray())}")
                : null;
        }
    }

    private sealed class StatusLineReply : ReplyExpectation
    {
        private const int Length = 12; // "HTTP/1.x NNN"

        public override CheckResult? Judge(ReadOnlySequence<byte> received, bool complete)
        {
            if (received.IsEmpty) return complete ? NoReply() : null;
            Span<byte> head = stackalloc byte[Length];
            int n = (int)Math.Min(received.Length, Length);
            received.Slice(0, n).CopyTo(head);
            head = head[..n];
            ReadOnlySpan<byte> pattern = "HTTP/1.# ###"u8;
            for (int i = 0; i < n; i++)
            {
                bool ok = pattern[i] == '#' ? char.IsAsciiDigit((char)head[i]) : head[i] == pattern[i];
                if (!ok) return Mismatch(received);
            }
            return n == Length ? CheckResult.Pass : complete ? Mismatch(received) : null;
        }

        private static CheckResult Mismatch(ReadOnlySequence<byte> received) =>
            CheckResult.Fail($"expected an HTTP/1.x status line but got {CheckText.Quote(received.ToArray())}");
    }
}
