using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>bind(2) of a packet socket to one interface and protocol.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(SafePacketSocketHandle socket, SockAddrLl* address, uint addressLength);
}
