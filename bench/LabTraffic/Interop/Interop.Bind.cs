using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>bind(2).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(int fd, void* address, uint addressLength);
}
