using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>sendto(2). With a TX ring and no buffer it sends every frame marked TP_STATUS_SEND_REQUEST: one syscall per batch.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sendto", SetLastError = true)]
    internal static unsafe partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);
}
