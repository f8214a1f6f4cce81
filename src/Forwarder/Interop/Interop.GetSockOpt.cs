using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>getsockopt(2).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getsockopt", SetLastError = true)]
    internal static unsafe partial int GetSockOpt(SafePacketSocketHandle socket, int level, int name, void* value, uint* length);
}
