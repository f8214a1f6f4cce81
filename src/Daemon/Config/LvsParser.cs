namespace UserLvs.Daemon.Config;

/// <summary>
/// The block structure of lvs.cf, line by line as Piranha's parser reads it:
///
///   key = value…              a setting of the innermost open block
///   virtual NAME {            opens a virtual server (global level only)
///   server NAME {             opens a real server (inside a virtual only)
///   }                         closes the innermost block, alone on its line
///
/// Piranha requires the '{' on the header line; a '{' alone on the next line is reported once and
/// then accepted, so one slip does not cascade. Every problem is collected, none stops the parse;
/// an unclosed block is reported at the line that opened it. Cost: O(file length).
/// </summary>
internal static class LvsParser
{
    private const string LineShapes = "expected 'key = value', 'virtual NAME {', 'server NAME {' or '}'";

    public static LvsBlock Parse(string text, Action<int, string> error)
    {
        var root = new LvsBlock(LvsBlockKind.Global, "", 0);
        var open = new Stack<LvsBlock>();
        open.Push(root);
        var tokens = new List<LvsToken>();
        bool awaitingBrace = false;
        int lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (!LvsLexer.TryTokenize(line, tokens, out var lexError))
            {
                error(lineNumber, lexError!);
                awaitingBrace = false;
                continue;
            }
            if (tokens.Count == 0) continue;
            var first = tokens[0];
            if (awaitingBrace)
            {
                awaitingBrace = false;
                if (first.Kind == LvsTokenKind.OpenBrace && tokens.Count == 1) continue;   // already reported
            }
            var current = open.Peek();
            switch (first.Kind)
            {
                case LvsTokenKind.CloseBrace:
                    if (tokens.Count > 1) error(lineNumber, "unexpected text after '}' (put '}' on a line of its own)");
                    if (open.Count == 1) error(lineNumber, "unmatched '}'");
                    else open.Pop();
                    break;
                case LvsTokenKind.OpenBrace:
                    error(lineNumber, "unexpected '{'");
                    if (!ClosesOnSameLine(tokens)) open.Push(new LvsBlock(LvsBlockKind.Ignored, "", lineNumber));
                    break;
                case LvsTokenKind.Word when tokens.Count >= 2 && tokens[1].Kind == LvsTokenKind.Equals:
                    if (current.Kind != LvsBlockKind.Ignored)
                        current.Assignments.Add(new LvsAssignment(first.Text, lineNumber, tokens.GetRange(2, tokens.Count - 2)));
                    break;
                case LvsTokenKind.Word when first.Text is "virtual" or "server" or "failover":
                    awaitingBrace = OpenBlock(tokens, lineNumber, open, error);
                    break;
                case LvsTokenKind.Word:
                    error(lineNumber, tokens.Count == 1 || tokens[1].Kind != LvsTokenKind.OpenBrace
                        ? $"expected '=' after '{first.Text}'"
                        : LineShapes);
                    if (tokens.Exists(t => t.Kind == LvsTokenKind.OpenBrace) && !ClosesOnSameLine(tokens))
                        open.Push(new LvsBlock(LvsBlockKind.Ignored, "", lineNumber));
                    break;
                default:
                    error(lineNumber, LineShapes);
                    break;
            }
        }
        while (open.Count > 1)
        {
            var block = open.Pop();
            error(block.Line, block.Kind == LvsBlockKind.Ignored
                ? "'{' is never closed (missing '}')"
                : $"{block.Describe()} is never closed (missing '}}')");
        }
        return root;
    }

    /// <summary>Opens a virtual/server block; returns true when the header lacked its '{'.</summary>
    private static bool OpenBlock(List<LvsToken> tokens, int line, Stack<LvsBlock> open, Action<int, string> error)
    {
        string keyword = tokens[0].Text;
        var parent = open.Peek();
        bool hasName = tokens.Count >= 2 && tokens[1].Kind == LvsTokenKind.Word;
        bool hasBrace = tokens.Exists(t => t.Kind == LvsTokenKind.OpenBrace);
        string name = hasName ? tokens[1].Text : "";

        if (!hasName)
        {
            error(line, $"'{keyword}' needs a name: {keyword} NAME {{");
        }
        else if (!hasBrace)
        {
            error(line, $"expected '{{' after '{keyword} {name}' on the same line");
        }
        else if (tokens.Count != 3 || tokens[2].Kind != LvsTokenKind.OpenBrace)
        {
            error(line, $"expected '{keyword} {name} {{' with nothing else on the line");
            if (ClosesOnSameLine(tokens)) return false;
        }
        if (!hasName && !hasBrace) return false;

        var kind = LvsBlockKind.Ignored;
        if (parent.Kind == LvsBlockKind.Ignored) { }
        else if (keyword == "failover" && parent.Kind == LvsBlockKind.Global)
            kind = LvsBlockKind.Failover;
        else if (keyword == "failover")
            error(line, "a failover block cannot be inside another block");
        else if (keyword == "virtual" && parent.Kind == LvsBlockKind.Global)
            kind = LvsBlockKind.Virtual;
        else if (keyword == "virtual")
            error(line, "a virtual block cannot be inside another block");
        else if (parent.Kind == LvsBlockKind.Virtual)
            kind = LvsBlockKind.Server;
        else
            error(line, "a server block belongs inside a virtual block");

        var block = new LvsBlock(hasName ? kind : LvsBlockKind.Ignored, name, line);
        if (block.Kind != LvsBlockKind.Ignored) parent.Blocks.Add(block);
        open.Push(block);
        return !hasBrace;
    }

    private static bool ClosesOnSameLine(List<LvsToken> tokens)
    {
        int depth = 0;
        foreach (var token in tokens)
        {
            if (token.Kind == LvsTokenKind.OpenBrace) depth++;
            else if (token.Kind == LvsTokenKind.CloseBrace && depth > 0 && --depth == 0) return true;
        }
        return false;
    }
}
