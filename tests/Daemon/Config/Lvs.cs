using UserLvs.Daemon.Config;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>Builds lvs.cf texts for the tests and runs them through the loader.</summary>
internal static class Lvs
{
    public const string File = "lvs.cf";

    /// <summary>Joins lines with '\n' so that element i is line i + 1 of the file.</summary>
    public static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";

    /// <summary>A complete, valid virtual block (lines 1..9 when it starts the file).</summary>
    public static readonly string[] WebVirtual =
    [
        "virtual web {",
        "    active = 1",
        "    address = 192.0.2.10 eth0:1",
        "    port = 80",
        "    server rs1 {",
        "        address = 10.0.0.11",
        "        active = 1",
        "    }",
        "}",
    ];

    public static LvsConfig Load(string text, string? baseDirectory = null)
    {
        bool ok = ConfigLoader.TryParse(text, File, baseDirectory ?? Path.GetTempPath(), out var config, out var errors);
        Assert.True(ok, "expected a valid config, got:\n" + string.Join("\n", errors));
        return config!;
    }

    /// <summary>A config with these global lines first, then nat_router and the web virtual.</summary>
    public static LvsConfig WithGlobal(params string[] lines) =>
        Load(Lines([.. lines, "nat_router = 10.0.0.1 eth1", .. WebVirtual]));

    /// <summary>The web virtual with these extra lines in its block.</summary>
    public static LvsVirtualServer WithVirtual(params string[] lines) =>
        Load(Lines(["nat_router = 10.0.0.1 eth1", "virtual web {", "    active = 1", "    address = 192.0.2.10 eth0:1", "    port = 80",
            .. lines, "    server rs1 {", "        address = 10.0.0.11", "        active = 1", "    }", "}"])).VirtualServers[0];

    /// <summary>rs1 of the web virtual with these lines in its block (address given).</summary>
    public static LvsRealServer WithServer(params string[] lines) =>
        Load(Lines(["nat_router = 10.0.0.1 eth1", "virtual web {", "    active = 1", "    address = 192.0.2.10 eth0:1", "    port = 80",
            "    server rs1 {", "        address = 10.0.0.11", .. lines, "    }", "}"])).VirtualServers[0].RealServers[0];

    /// <summary>The errors (not warnings) of an invalid text, printed as the daemon prints them.</summary>
    public static string[] Errors(string text, string? baseDirectory = null)
    {
        bool ok = ConfigLoader.TryParse(text, File, baseDirectory ?? Path.GetTempPath(), out var config, out var errors);
        Assert.False(ok);
        Assert.Null(config);
        return errors.Where(e => !e.IsWarning).Select(e => e.ToString()).ToArray();
    }

    /// <summary>Sets a file's Unix mode (the key-file checks are about Unix permissions).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, mode);
    }

    public static string[] Warnings(string text, string? baseDirectory = null)
    {
        ConfigLoader.TryParse(text, File, baseDirectory ?? Path.GetTempPath(), out _, out var errors);
        return errors.Where(e => e.IsWarning).Select(e => e.ToString()).ToArray();
    }
}
