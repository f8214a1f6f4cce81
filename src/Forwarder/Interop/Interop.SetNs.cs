using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>setns(2): moves the calling thread into a namespace (CLONE_NEWNET). Sockets a thread
    /// opens afterwards live in that namespace for good; labs use it to open ports inside netns.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(int fd, int namespaceType);
}
