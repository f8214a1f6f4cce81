namespace UserLvs.Daemon.Config;

internal enum LvsBlockKind : byte
{
    Global,
    Virtual,
    Server,
    /// <summary>A block that was already reported as misplaced; its contents are skipped, its braces still count.</summary>
    Ignored,
    /// <summary>A <c>failover NAME {}</c> block (Piranha's service = fos): read past and set aside, as Piranha's lvs does.</summary>
    Failover,
}

/// <summary>One <c>key = value…</c> line.</summary>
internal sealed record LvsAssignment(string Key, int Line, IReadOnlyList<LvsToken> Values);

/// <summary>The file as a tree of blocks (global, virtual, server), before any key is interpreted.</summary>
internal sealed class LvsBlock(LvsBlockKind kind, string name, int line)
{
    public LvsBlockKind Kind { get; } = kind;
    public string Name { get; } = name;
    public int Line { get; } = line;
    public List<LvsAssignment> Assignments { get; } = [];
    public List<LvsBlock> Blocks { get; } = [];

    public string Describe() => Kind switch
    {
        LvsBlockKind.Virtual => $"virtual '{Name}'",
        LvsBlockKind.Server => $"server '{Name}'",
        _ => "block",
    };
}
