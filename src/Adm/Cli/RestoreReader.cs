namespace UserLvs.Adm.Cli;

/// <summary>
/// How ipvsadm -R reads stdin (config_stream_read): one command per line (only a newline ends
/// one), words split on spaces, tabs and carriage returns, every word "ipvsadm" dropped (so
/// "ipvsadm -A ..." lines work), lines without words skipped. A '#' word starts a comment to the end
/// of the line, which config_stream's comment says and ipvsadm 1.31 does not actually do (there such
/// a line fails with "Try ...").
/// </summary>
internal static class RestoreReader
{
    public static IEnumerable<string[]> Lines(TextReader input)
    {
        while (ReadLine(input) is { } line)
        {
            var words = new List<string>();
            foreach (var word in line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.StartsWith('#')) break;
                if (word != "ipvsadm") words.Add(word);
            }
            if (words.Count > 0) yield return [.. words];
        }
    }

    // Up to the next '\n' (TextReader.ReadLine would also end a line at a lone '\r', which ipvsadm
    // reads as a space within the line); null at the end of the input.
    private static string? ReadLine(TextReader input)
    {
        var line = new System.Text.StringBuilder();
        int c;
        while ((c = input.Read()) >= 0)
        {
            if (c == '\n') return line.ToString();
            line.Append((char)c);
        }
        return line.Length > 0 ? line.ToString() : null;
    }
}
