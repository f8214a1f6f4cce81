using System.Runtime.CompilerServices;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// Where the lab scripts and the daemon are. The repository root is the first directory holding
/// UserLvs.sln above the test assembly (or, when built to a private artifacts path, above this
/// source file). The daemon is $USERLVSD when set, else the Release apphost that
/// `dotnet build UserLvs.sln -c Release` puts at artifacts/bin/userlvsd/release/userlvsd; userlvs-adm
/// likewise is $USERLVS_ADM, else artifacts/bin/userlvs-adm/release/userlvs-adm.
/// </summary>
public static class LabPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string Topology => Path.Combine(RepositoryRoot, "lab", "topology.sh");

    public static string Daemon
    {
        get
        {
            string path = Environment.GetEnvironmentVariable("USERLVSD") is { Length: > 0 } set
                ? set
                : Path.Combine(RepositoryRoot, "artifacts", "bin", "userlvsd", "release", "userlvsd");
            if (!File.Exists(path))
                throw new FileNotFoundException($"userlvsd not found at {path}: build it (dotnet build UserLvs.sln -c Release) or set USERLVSD", path);
            return path;
        }
    }

    public static string Adm
    {
        get
        {
            string path = Environment.GetEnvironmentVariable("USERLVS_ADM") is { Length: > 0 } set
                ? set
                : Path.Combine(RepositoryRoot, "artifacts", "bin", "userlvs-adm", "release", "userlvs-adm");
            if (!File.Exists(path))
                throw new FileNotFoundException($"userlvs-adm not found at {path}: build it (dotnet build UserLvs.sln -c Release) or set USERLVS_ADM", path);
            return path;
        }
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(ThisSourceFile()), Directory.GetCurrentDirectory() })
        {
            // Bounded: a path has a finite number of parents, and 64 is more than any of ours.
            var directory = start is null ? null : new DirectoryInfo(start);
            for (int depth = 0; directory is not null && depth < 64; depth++, directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "UserLvs.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException("no UserLvs.sln above the test assembly, its sources or the working directory");
    }

    private static string ThisSourceFile([CallerFilePath] string path = "") => path;
}
