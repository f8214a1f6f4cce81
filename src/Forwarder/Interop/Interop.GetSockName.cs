using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>getsockname(2): for a packet socket, the interface it is bound to; sll_ifindex is -1
    /// once that interface was unregistered (deleted, or its namespace went away).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getsockname", SetLastError = true)]
    internal static unsafe partial int GetSockName(SafePacketSocketHandle socket, SockAddrLl* address, uint* addressLength);
}
