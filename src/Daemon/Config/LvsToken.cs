// The tokens of one lvs.cf line (see LvsLexer): words, quoted strings, and the three punctuation marks = { }.
namespace UserLvs.Daemon.Config;

internal enum LvsTokenKind : byte
{
    /// <summary>A bare word: a key, a name, a number, an address, a device.</summary>
    Word,
    /// <summary>A "…" or '…' string, its text without the quotes and with escapes left as written.</summary>
    Quoted,
    Equals,
    OpenBrace,
    CloseBrace,
}

/// <summary>One token of an lvs.cf line and the 1-based column it starts at.</summary>
internal readonly record struct LvsToken(LvsTokenKind Kind, string Text, int Column)
{
    public override string ToString() => Kind == LvsTokenKind.Quoted ? $"\"{Text}\"" : Text;
}
