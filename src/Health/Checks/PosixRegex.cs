using System.Text;
using System.Text.RegularExpressions;

namespace UserLvs.Health.Checks;

/// <summary>
/// nanny's <c>use_regex</c> patterns are POSIX extended regular expressions (regcomp with
/// REG_EXTENDED, no REG_NEWLINE); .NET reads a few things in them differently, so a pattern is
/// rewritten before .NET compiles it:
///   [[:digit:]] and the other character classes     spelled out as .NET ranges (.NET would read
///                                                   "[[:digit:]" as a set of those characters)
///   a backslash inside [...]                        a literal backslash in POSIX
///   x{,n}                                           glibc's "0 to n" (.NET reads it literally)
///   \&lt; and \&gt;                                       glibc's word start and end
///   .                                               any character, newlines included
///   $                                               only the very end of the reply (.NET also
///                                                   matches before a final newline)
/// What both dialects read alike (groups, alternation, + ? *, {m,n}, ^, \. and other escapes,
/// glibc's \w \s \b) passes through. Matching is a search, as regexec's; only whether it matches
/// counts, so POSIX's leftmost-longest rule changes nothing.
/// </summary>
public static class PosixRegex
{
    private static readonly Dictionary<string, string> Classes = new(StringComparer.Ordinal)
    {
        ["alpha"] = "a-zA-Z",
        ["digit"] = "0-9",
        ["alnum"] = "a-zA-Z0-9",
        ["upper"] = "A-Z",
        ["lower"] = "a-z",
        ["space"] = @" \t\n\r\f\v",
        ["blank"] = @" \t",
        ["punct"] = @"!-/:-@\[-`{-~",
        ["xdigit"] = "0-9A-Fa-f",
        ["cntrl"] = @"\x00-\x1f\x7f",
        ["print"] = @"\x20-\x7e",
        ["graph"] = @"\x21-\x7e",
    };

    /// <summary>Compiles a POSIX extended pattern; throws ArgumentException (with the reason) when it is not one.</summary>
    public static Regex Compile(string pattern, TimeSpan matchTimeout) =>
        new(ToDotNet(pattern), RegexOptions.CultureInvariant | RegexOptions.Singleline, matchTimeout);

    /// <summary>The .NET spelling of a POSIX extended pattern.</summary>
    public static string ToDotNet(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 16);
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '\\' when i + 1 < pattern.Length:
                    char next = pattern[++i];
                    result.Append(next switch
                    {
                        '<' => @"\b(?=\w)",
                        '>' => @"\b(?<=\w)",
                        _ => $"\\{next}",
                    });
                    break;
                case '[':
                    i = Bracket(pattern, i, result);
                    break;
                case '{' when i + 1 < pattern.Length && pattern[i + 1] == ',':
                    result.Append("{0");
                    break;
                case '$':
                    result.Append(@"\z");
                    break;
                default:
                    result.Append(c);
                    break;
            }
        }
        return result.ToString();
    }

    // A bracket expression from pattern[start] == '['; returns the index of its closing ']'. In POSIX
    // a ']' right after '[' or "[^" is a member, [:name:] is a class, and a backslash is itself.
    private static int Bracket(string pattern, int start, StringBuilder result)
    {
        int i = start + 1;
        var set = new StringBuilder("[");
        if (i < pattern.Length && pattern[i] == '^') { set.Append('^'); i++; }
        if (i < pattern.Length && pattern[i] == ']') { set.Append(@"\]"); i++; }
        for (; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == ']')
            {
                result.Append(set).Append(']');
                return i;
            }
            if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                int end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (end < 0) throw new ArgumentException($"unterminated character class in '{pattern}'");
                string name = pattern[(i + 2)..end];
                if (!Classes.TryGetValue(name, out var members)) throw new ArgumentException($"unknown character class [:{name}:] in '{pattern}'");
                set.Append(members);
                i = end + 1;
                continue;
            }
            set.Append(c switch
            {
                '\\' => @"\\",
                '[' => @"\[",
                _ => c.ToString(),
            });
        }
        throw new ArgumentException($"unterminated [ in '{pattern}'");
    }
}
