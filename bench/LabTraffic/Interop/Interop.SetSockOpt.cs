using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>setsockopt(2).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "setsockopt", SetLastError = true)]
    internal static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, uint valueLength);
}
