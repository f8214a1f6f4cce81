using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>close(2).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
