using System.Runtime.InteropServices;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// Signals to a process the test started, by its own id (never by name): SIGHUP asks userlvsd to
/// reload its lvs.cf.
/// </summary>
public static partial class Signals
{
    private const int SIGHUP = 1;

    public static void Hangup(int pid)
    {
        if (kill(pid, SIGHUP) != 0)
            throw new InvalidOperationException($"kill({pid}, SIGHUP) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
