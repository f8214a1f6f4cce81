using System.Runtime.InteropServices;

namespace UserLvs.Health;

internal static partial class Interop
{
    internal const int SIGKILL = 9;

    /// <summary>kill(2); a negative pid signals that whole process group.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int kill(int pid, int signal);
}
