using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>munmap(2).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "munmap", SetLastError = true)]
    internal static unsafe partial int Munmap(void* address, nuint length);
}
