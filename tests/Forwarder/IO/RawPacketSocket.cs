using System.Buffers.Binary;
using System.Net.Sockets;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// A plain, independent AF_PACKET socket (recv/send, no rings) used by the lab tests to inject and
/// capture frames, so a port is never tested only against itself.
/// </summary>
internal static class RawPacketSocket
{
    /// <summary>Opens a raw packet socket bound to an interface of the calling thread's namespace.</summary>
    public static unsafe Socket Open(string interfaceName)
    {
        int ifindex = UserLvs.Forwarder.IO.NetworkInterfaceInfo.GetIndex(interfaceName);
        ushort all = BinaryPrimitives.ReverseEndianness(Interop.ETH_P_ALL);
        int fd = Interop.Socket(Interop.AF_PACKET, Interop.SOCK_RAW | Interop.SOCK_CLOEXEC, all);
        if (fd < 0)
        {
            throw new IOException("socket(AF_PACKET) failed");
        }

        using var handle = new SafePacketSocketHandle(fd);
        var address = new Interop.SockAddrLl { sll_family = Interop.AF_PACKET, sll_protocol = all, sll_ifindex = ifindex };
        if (Interop.Bind(handle, &address, (uint)sizeof(Interop.SockAddrLl)) != 0)
        {
            throw new IOException($"bind to {interfaceName} failed");
        }

        var socket = new Socket(new SafeSocketHandle(handle.DangerousGetHandle(), ownsHandle: true));
        handle.SetHandleAsInvalid();
        socket.ReceiveTimeout = 200;
        return socket;
    }

    /// <summary>Receives frames until <paramref name="match"/> accepts one or the deadline passes.</summary>
    public static byte[]? ReceiveMatching(Socket socket, Func<byte[], bool> match, int timeoutMilliseconds = 3000)
    {
        var buffer = new byte[70_000];
        long deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }

            byte[] frame = buffer.AsSpan(0, n).ToArray();
            if (match(frame))
            {
                return frame;
            }
        }

        return null;
    }
}
