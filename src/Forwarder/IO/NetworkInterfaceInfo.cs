using System.Net.NetworkInformation;
using System.Runtime.InteropServices;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// An interface's index, MAC address and MTU, looked up in the calling thread's network namespace
/// (if_nametoindex, SIOCGIFHWADDR, SIOCGIFMTU; /sys/class/net would answer for whoever mounted sysfs).
/// Setup-time only: these allocate and throw.
/// </summary>
public static class NetworkInterfaceInfo
{
    public static int GetIndex(string name)
    {
        uint index = Interop.IfNameToIndex(name);
        if (index == 0)
        {
            throw NotFound(name);
        }

        return (int)index;
    }

    public static unsafe PhysicalAddress GetMacAddress(string name)
    {
        var request = Request(name, Interop.SIOCGIFHWADDR);
        return new PhysicalAddress(new ReadOnlySpan<byte>(request.sa_data, 6).ToArray());
    }

    /// <summary>The largest IP datagram the interface sends (SIOCGIFMTU).</summary>
    public static int GetMtu(string name) => Request(name, Interop.SIOCGIFMTU).Mtu;

    private static unsafe Interop.IfReq Request(string name, uint request)
    {
        if (name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > 15)
        {
            throw NotFound(name);
        }

        int fd = Interop.Socket(Interop.AF_INET, Interop.SOCK_DGRAM | Interop.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException($"socket(AF_INET) failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            Interop.IfReq ifreq = default;
            System.Text.Encoding.UTF8.GetBytes(name, new Span<byte>(ifreq.ifr_name, 15));
            if (Interop.Ioctl(fd, request, &ifreq) != 0)
            {
                throw NotFound(name);
            }

            return ifreq;
        }
        finally
        {
            Interop.Close(fd);
        }
    }

    internal static IOException NotFound(string name) =>
        new($"Network interface '{name}' does not exist in this network namespace.");
}
