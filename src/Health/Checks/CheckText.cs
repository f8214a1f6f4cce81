using System.Globalization;
using System.Text;

namespace UserLvs.Health.Checks;

/// <summary>
/// Text in and out of checks. lvs.cf keeps send and expect raw; <see cref="Unescape"/> turns nanny's
/// escapes (\r \n \t \\ \" \') into bytes, leaving any other backslash as written. <see cref="Quote"/>
/// shows what a server sent inside a log line: at most <see cref="QuoteLimit"/> characters, then "…",
/// with control and non-ASCII bytes as \r \n \t or \xNN, so a binary banner cannot break the log.
/// </summary>
public static class CheckText
{
    public const int QuoteLimit = 32;

    public static byte[] Unescape(string text) => Encoding.UTF8.GetBytes(UnescapeText(text));

    /// <summary><see cref="Unescape"/> as text: what nanny's convert_str makes of send and expect
    /// (also of a use_regex pattern, before regcomp sees it).</summary>
    public static string UnescapeText(string text)
    {
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 == text.Length)
            {
                result.Append(c);
                continue;
            }
            char next = text[i + 1];
            char? escaped = next switch
            {
                'r' => '\r',
                'n' => '\n',
                't' => '\t',
                '\\' => '\\',
                '"' => '"',
                '\'' => '\'',
                _ => null,
            };
            if (escaped is { } e)
            {
                result.Append(e);
                i++;
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }

    /// <summary>'bytes' as a log line may carry them: truncated, non-printables escaped.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder("'");
        int shown = Math.Min(bytes.Length, QuoteLimit);
        foreach (byte b in bytes[..shown])
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\t' => "\\t",
                (byte)'\\' => "\\\\",
                (byte)'\'' => "\\'",
                >= 0x20 and < 0x7f => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        }
        if (bytes.Length > shown) text.Append('…');
        return text.Append('\'').ToString();
    }

    public static string Quote(string text) => Quote(Encoding.UTF8.GetBytes(text));

    /// <summary>A duration as a reason says it: "2s", "0.5s", "1.25s".</summary>
    public static string Seconds(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    public static string TimedOut(TimeSpan deadline) => $"timed out after {Seconds(deadline)}";
}
