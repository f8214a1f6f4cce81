using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// Asks the kernel to back a large table array with 2 MiB pages.
///
/// Why: a lookup among a million connections lands on a random line of a 100 MB table. With 4 KiB
/// pages that is ~25,000 pages, far beyond what the TLB holds, so every lookup also pays a page walk
/// (two, nested, in a VM); with 2 MiB pages the whole table is ~50 TLB entries. The machine's THP
/// setting is usually "madvise", so nothing gets huge pages unless asked.
///
/// How: MADV_HUGEPAGE on the 2 MiB-aligned interior of the array marks it for huge pages, and
/// MADV_COLLAPSE (Linux 6.1+) turns the pages already touched into huge ones at once instead of
/// waiting for khugepaged. Both are advice: on failure (older kernel, THP "never", no free huge
/// pages) the array simply keeps its small pages, so errors are ignored. Only arrays on the large
/// object heap qualify, which the GC does not move; anything under 4 MiB is left alone (it holds at
/// most one whole huge page, and small arrays may move).
/// </summary>
internal static class HugePageAdvice
{
    private const long HugePage = 2 << 20;
    private const long Threshold = 2 * HugePage;

    /// <summary>Advises the array's memory; returns the bytes covered (0 when too small or refused).</summary>
    public static unsafe long Advise<T>(T[] array) where T : struct
    {
        long bytes = (long)array.Length * Unsafe.SizeOf<T>();
        if (bytes < Threshold || !OperatingSystem.IsLinux()) return 0;
        fixed (byte* data = &Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(array)))
            return Advise(data, bytes);
    }

    private static unsafe long Advise(byte* data, long bytes)
    {
        long start = ((long)data + HugePage - 1) & ~(HugePage - 1);
        long end = ((long)data + bytes) & ~(HugePage - 1);
        if (end <= start) return 0;
        if (Interop.Madvise((void*)start, (nuint)(end - start), Interop.MADV_HUGEPAGE) != 0) return 0;
        Interop.Madvise((void*)start, (nuint)(end - start), Interop.MADV_COLLAPSE);
        return end - start;
    }
}
