using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int MADV_HUGEPAGE = 14;
    internal const int MADV_COLLAPSE = 25;

    /// <summary>madvise(2).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "madvise", SetLastError = true)]
    internal static unsafe partial int Madvise(void* address, nuint length, int advice);
}
