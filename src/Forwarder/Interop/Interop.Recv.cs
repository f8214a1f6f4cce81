using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>recv(2): takes a whole frame the TPACKET_V2 ring could only hold cut (TP_STATUS_COPY)
    /// from the socket's receive queue, virtio_net_hdr first when PACKET_VNET_HDR is on.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "recv", SetLastError = true)]
    internal static unsafe partial nint Recv(SafePacketSocketHandle socket, void* buffer, nuint length, int flags);
}
