using System.Diagnostics.CodeAnalysis;

namespace UserLvs.Daemon.Config;

/// <summary>
/// Loads Piranha's lvs.cf for <c>userlvsd --check</c>, start-up and SIGHUP reload:
///
///   read the file (at most 1 MiB) -> parse blocks -> bind and check keys -> LvsConfig or nothing
///
/// Every problem of the file is collected (not just the first) as <see cref="ConfigError"/>s
/// sorted by line; warnings come in the same list with <see cref="ConfigError.IsWarning"/> set.
/// Success means no error: a file with any error yields no config, so a reload never applies a
/// half-read file. Bad input never throws.
/// </summary>
public static class ConfigLoader
{
    public const long MaxFileBytes = 1 << 20;

    public static bool TryLoad(string path, [NotNullWhen(true)] out LvsConfig? config, out IReadOnlyList<ConfigError> errors)
    {
        config = null;
        string text;
        string directory;
        try
        {
            var info = new FileInfo(path);
            directory = info.DirectoryName ?? Environment.CurrentDirectory;
            if (Directory.Exists(path)) return Fail(path, "is a directory, not an lvs.cf file", out errors);
            if (!info.Exists) return Fail(path, "no such file", out errors);
            if (info.Length > MaxFileBytes) return Fail(path, $"is larger than {MaxFileBytes} bytes; that is not an lvs.cf", out errors);
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return Fail(path, $"cannot be read: {e.Message}", out errors);
        }
        return TryParse(text, path, directory, out config, out errors);
    }

    /// <summary>
    /// Parses lvs.cf text; <paramref name="file"/> names it in messages and <paramref name="baseDirectory"/>
    /// anchors a relative heartbeat_key_file (the directory of the config file).
    /// </summary>
    public static bool TryParse(string text, string file, string baseDirectory,
        [NotNullWhen(true)] out LvsConfig? config, out IReadOnlyList<ConfigError> errors)
    {
        var diagnostics = new List<ConfigError>();
        config = null;
        try
        {
            bool syntaxFailed = false;
            var root = LvsParser.Parse(text, (line, reason) =>
            {
                syntaxFailed = true;
                diagnostics.Add(new ConfigError(file, line, reason));
            });
            config = new LvsConfigBuilder(file, baseDirectory, diagnostics).Build(root, syntaxFailed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A safety net for the daemon: a bug here must fail the load, never kill a running router.
            diagnostics.Add(new ConfigError(file, 0, $"internal error while reading the configuration: {e.GetType().Name}: {e.Message}"));
            config = null;
        }
        errors = diagnostics.OrderBy(d => d.Line).ToArray().AsReadOnly();
        if (errors.Any(d => !d.IsWarning)) config = null;
        return config is not null;
    }

    private static bool Fail(string path, string reason, out IReadOnlyList<ConfigError> errors)
    {
        errors = new[] { new ConfigError(path, 0, reason) }.AsReadOnly();
        return false;
    }
}
