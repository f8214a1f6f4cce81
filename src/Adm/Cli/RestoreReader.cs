namespace UserLvs.Adm.Cli;

/// <summary>
/// How ipvsadm -R reads stdin (config_stream_read): one command per line, words split on spaces,
/// tabs and carriage returns, every word "ipvsadm" dropped (so "ipvsadm -A ..." lines work), lines
/// without words skipped. A '#' word starts a comment to the end of the line, which config_stream's
/// comment says and ipvsadm 1.31 does not actually do (there such a line fails with "Try ...").
/// </summary>
internal static class RestoreReader
{
    public static IEnumerable<string[]> Lines(TextReader input)
    {
        while (input.ReadLine() is { } line)
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
}
