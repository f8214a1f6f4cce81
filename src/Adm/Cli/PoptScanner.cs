namespace UserLvs.Adm.Cli;

/// <summary>
/// Walks argv the way popt does for ipvsadm: "--name", "--name=value" and "--name value" long
/// options; clustered short options ("-Ln", "-At 192.0.2.1:80", "-w5"); a required value takes the
/// next word whatever it is, an optional one (-p) only a next word not starting with '-'; words that
/// are not options are kept aside (poptGetArg) and scanning goes on after them; "--" ends options.
/// <see cref="LastWord"/> is popt's argv[next - 1], which ipvsadm names in "invalid option" and in
/// popt's own errors ("-q: unknown option", "-t: missing argument").
/// </summary>
internal sealed class PoptScanner(IReadOnlyList<string> words)
{
    private readonly List<string> _leftovers = [];
    private int _next;
    private string? _cluster;
    private int _clusterPosition;
    private bool _optionsEnded;
    private int _leftoversTaken;

    public string LastWord { get; private set; } = "";

    public readonly record struct Item(PoptOption? Option, string? Argument, string? Error)
    {
        public bool IsOption => Option is not null;
        public bool IsError => Error is not null;
    }

    private static readonly Item End = new(null, null, null);

    /// <summary>The next option; an item with neither option nor error at the end; popt's error text on a bad word.</summary>
    public Item Next()
    {
        if (_cluster is not null) return NextShort();
        while (_next < words.Count)
        {
            string word = words[_next++];
            LastWord = word;
            if (_optionsEnded) { _leftovers.Add(word); continue; }
            if (word == "--") { _optionsEnded = true; continue; }
            if (word.StartsWith("--", StringComparison.Ordinal)) return Long(word[2..]);
            if (word.Length > 1 && word[0] == '-')
            {
                _cluster = word;
                _clusterPosition = 1;
                return NextShort();
            }
            _leftovers.Add(word);
        }
        return End;
    }

    /// <summary>popt's poptGetArg: the next word that was not an option, or null (asked once the scan has ended).</summary>
    public string? NextLeftover() => _leftoversTaken < _leftovers.Count ? _leftovers[_leftoversTaken++] : null;

    private Item Long(string body)
    {
        int equals = body.IndexOf('=');
        string name = equals < 0 ? body : body[..equals];
        var option = PoptOptions.FindLong(name);
        if (option is null) return new(null, null, "unknown option");
        if (option.Argument == ArgumentKind.None)
            return equals < 0 ? new(option, null, null) : new(null, null, "option does not take an argument");
        if (equals >= 0) return new(option, body[(equals + 1)..], null);
        return TakeNextWord(option);
    }

    private Item NextShort()
    {
        string cluster = _cluster!;
        char letter = cluster[_clusterPosition++];
        bool clusterEnds = _clusterPosition >= cluster.Length;
        var option = PoptOptions.FindShort(letter);
        if (option is null)
        {
            _cluster = null;
            return new(null, null, "unknown option");
        }
        if (option.Argument == ArgumentKind.None)
        {
            // popt: "-L=x" is an option given a value it does not take.
            if (!clusterEnds && cluster[_clusterPosition] == '=')
            {
                _cluster = null;
                return new(null, null, "option does not take an argument");
            }
            if (clusterEnds) _cluster = null;
            return new(option, null, null);
        }
        _cluster = null;
        // The rest of the cluster is the value: "-w5", "-t192.0.2.1:80"; popt skips one '=' before
        // it, so "-w=5" is "-w 5".
        if (!clusterEnds)
        {
            int start = cluster[_clusterPosition] == '=' ? _clusterPosition + 1 : _clusterPosition;
            return new(option, cluster[start..], null);
        }
        return TakeNextWord(option);
    }

    private Item TakeNextWord(PoptOption option)
    {
        bool available = _next < words.Count && !_optionsEnded;
        if (option.Argument == ArgumentKind.Optional)
        {
            if (!available || words[_next].StartsWith('-')) return new(option, null, null);
        }
        else if (!available)
        {
            return new(null, null, "missing argument");
        }
        string value = words[_next++];
        LastWord = value;
        return new(option, value, null);
    }
}
