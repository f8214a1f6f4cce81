using CsCheck;
using UserLvs.Daemon.Config;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>Whatever bytes or lines arrive, the loader answers with a result and messages, never an exception.</summary>
public class ConfigFuzzTests
{
    private static readonly string Example = Lvs.Lines([
        "heartbeat = 1", "primary = 192.0.2.1", "backup = 192.0.2.2", "keepalive = 0.5", "deadtime = 2",
        "nat_router = 10.0.0.1 eth1", "network = nat", .. Lvs.WebVirtual]);

    private static void LoadsWithoutThrowing(string text)
    {
        bool ok = ConfigLoader.TryParse(text, "fuzz.cf", Path.GetTempPath(), out var config, out var errors);
        Assert.Equal(ok, config is not null);
        Assert.DoesNotContain(errors, e => e.Reason.StartsWith("internal error", StringComparison.Ordinal));
        Assert.All(errors, e => Assert.StartsWith("fuzz.cf", e.ToString()));
        if (!ok) Assert.Contains(errors, e => !e.IsWarning);
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        Gen.Byte.Array[0, 400].Sample(bytes => LoadsWithoutThrowing(System.Text.Encoding.UTF8.GetString(bytes)), iter: 3000);
    }

    [Fact]
    public void RandomLinesOfLvsTokens_NeverThrow()
    {
        string[] words = ["virtual", "server", "failover", "address", "port", "active", "weight", "scheduler", "persistent",
            "pmask", "send", "expect", "keepalive", "deadtime", "heartbeat", "heartbeat_key_file", "nat_router", "sorry_server",
            "=", "{", "}", "\"", "'", "#", "\\", "1", "0", "0.01", "-1", "70000", "192.0.2.10", "10.0.0.11", "eth0:1", "eth0:",
            "255.255.255.0", "rr", "wlc", "\"GET / HTTP/1.0\\r\\n\"", "web", "rs1", "\t", "\r"];
        var word = Gen.Int[0, words.Length - 1].Select(i => words[i]);
        var line = word.Array[0, 8].Select(parts => string.Join(' ', parts));
        line.Array[0, 30].Sample(lines => LoadsWithoutThrowing(string.Join('\n', lines)), iter: 3000);
    }

    [Fact]
    public void MutatedExample_NeverThrows()
    {
        Gen.Select(Gen.Int[0, Example.Length - 1], Gen.Char, Gen.Int[0, 2]).Array[1, 6].Sample(edits =>
        {
            var text = new System.Text.StringBuilder(Example);
            foreach (var (at, c, kind) in edits)
            {
                int i = Math.Min(at, text.Length - 1);
                if (i < 0) break;
                if (kind == 0) text[i] = c;
                else if (kind == 1) text.Insert(i, c);
                else text.Remove(i, 1);
            }
            LoadsWithoutThrowing(text.ToString());
        }, iter: 3000);
    }
}
