using System.Text;

namespace UserLvs.Health.Checks;

/// <summary>
/// A send_program line split into a program and its arguments the way a shell splits words, but
/// with no shell: blanks separate words; '…' is literal; "…" allows \" and \\; a backslash outside
/// quotes takes the next character literally. %h and %p are replaced inside each word AFTER
/// splitting, so an address can never become two arguments or shell syntax. Pipes, redirections
/// and variables are not interpreted; write <c>send_program = "/bin/sh -c 'curl -sf http://%h:%p/ | grep ok'"</c>
/// for them.
/// </summary>
public static class ProgramCommandLine
{
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '\'')
            {
                int end = line.IndexOf('\'', i + 1);
                if (end < 0) throw new FormatException("send_program has an unterminated ' quote");
                word.Append(line, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; ; i++)
                {
                    if (i == line.Length) throw new FormatException("send_program has an unterminated \" quote");
                    if (line[i] == '"') break;
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\') i++;
                    word.Append(line[i]);
                }
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                word.Append(line[++i]);
            }
            else
            {
                word.Append(c);
            }
        }
        if (inWord) words.Add(word.ToString());
        if (words.Count == 0) throw new FormatException("send_program is empty");
        return words;
    }

    /// <summary>%h: the real server's address; %p: its port; %% a percent sign.</summary>
    public static string Substitute(string word, string address, ushort port)
    {
        var result = new StringBuilder(word.Length + 16);
        for (int i = 0; i < word.Length; i++)
        {
            if (word[i] == '%' && i + 1 < word.Length)
            {
                switch (word[i + 1])
                {
                    case 'h': result.Append(address); i++; continue;
                    case 'p': result.Append(port); i++; continue;
                    case '%': result.Append('%'); i++; continue;
                }
            }
            result.Append(word[i]);
        }
        return result.ToString();
    }
}
