using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>ioctl(2) with a pointer argument (SIOCGIFHWADDR, SIOCGIFMTU). Unlike /sys/class/net, it answers
    /// for the network namespace of the calling thread.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(int fd, nuint request, void* argument);
}
