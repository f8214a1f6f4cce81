using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>socket(2): a file descriptor, or -1 with errno.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);
}
