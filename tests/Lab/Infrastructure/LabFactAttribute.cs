using System.Runtime.InteropServices;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// A lab test: runs only as root with `ip netns` usable, since it creates network namespaces, veth
/// pairs and bridges. Anywhere else it is skipped with the reason, never failed and never faked.
/// </summary>
public sealed partial class LabFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(FindReasonToSkip);

    public LabFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = reason;
    }

    private static string? FindReasonToSkip()
    {
        if (!OperatingSystem.IsLinux()) return "lab tests need Linux network namespaces";
        if (geteuid() != 0) return "lab tests need root (they create network namespaces, veth pairs and bridges)";
        try
        {
            var list = CommandLine.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
            if (list.ExitCode != 0) return $"`ip netns list` failed: {list.StandardError.Trim()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"`ip netns` is unavailable: {e.Message}";
        }
        return null;
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
