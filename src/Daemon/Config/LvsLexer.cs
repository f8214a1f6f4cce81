namespace UserLvs.Daemon.Config;

/// <summary>
/// Splits one lvs.cf line into tokens. Piranha's lvsconfig.c reads the file line by line and splits
/// on blanks; this lexer keeps that and adds what Piranha's own files need:
///
///   blank          separates tokens ('\r' of CRLF files is a blank)
///   = { }          are tokens of their own outside quotes ("key=value" works too)
///   "…" or '…'     one token; a backslash hides the next character from the end-of-string search
///                  but stays in the text (\r \n \t \" are nanny's to interpret, not ours)
///   #              at the start of a token: a comment to the end of the line
///
/// Cost: O(line length). Never throws: an unterminated string is reported through <c>error</c>.
/// </summary>
internal static class LvsLexer
{
    public static bool TryTokenize(string line, List<LvsToken> tokens, out string? error)
    {
        tokens.Clear();
        error = null;
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#') break;
            switch (c)
            {
                case '=': tokens.Add(new(LvsTokenKind.Equals, "=", i + 1)); i++; continue;
                case '{': tokens.Add(new(LvsTokenKind.OpenBrace, "{", i + 1)); i++; continue;
                case '}': tokens.Add(new(LvsTokenKind.CloseBrace, "}", i + 1)); i++; continue;
                case '"' or '\'':
                {
                    int end = i + 1;
                    while (end < line.Length && line[end] != c)
                        end += line[end] == '\\' && end + 1 < line.Length ? 2 : 1;
                    if (end >= line.Length)
                    {
                        error = $"unterminated string (the {c} at column {i + 1} is never closed)";
                        return false;
                    }
                    tokens.Add(new(LvsTokenKind.Quoted, line[(i + 1)..end], i + 1));
                    i = end + 1;
                    continue;
                }
            }
            int start = i;
            while (i < line.Length && !EndsWord(line[i])) i++;
            tokens.Add(new(LvsTokenKind.Word, line[start..i], start + 1));
        }
        return true;
    }

    private static bool EndsWord(char c) => char.IsWhiteSpace(c) || c is '=' or '{' or '}' or '"' or '\'';
}
