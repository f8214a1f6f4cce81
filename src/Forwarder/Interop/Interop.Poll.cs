using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>poll(2): how an idle worker sleeps until frames arrive or the timeout passes.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
