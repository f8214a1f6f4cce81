using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>mmap(2): MAP_FAILED, (void*)-1, on error.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static unsafe partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);
}
