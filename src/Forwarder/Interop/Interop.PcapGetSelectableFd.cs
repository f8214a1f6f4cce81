using System.Runtime.InteropServices;

internal static partial class Interop
{
    private static readonly Lazy<nint> s_pcapGetSelectableFd = new(() => ResolvePcap("pcap_get_selectable_fd"));

    /// <summary>
    /// pcap_get_selectable_fd(3): the descriptor to poll(2) for a live libpcap handle, so the SharpPcap
    /// backend sleeps like the AF_PACKET one. Resolved at run time because the library's file name
    /// differs between distributions (libpcap.so.1, libpcap.so.0.8); -1 when libpcap is missing.
    /// </summary>
    internal static unsafe int PcapGetSelectableFd(nint pcap)
    {
        nint function = s_pcapGetSelectableFd.Value;
        return function == 0 ? -1 : ((delegate* unmanaged<nint, int>)function)(pcap);
    }

    /// <summary>A libpcap function by name, 0 when libpcap or the function is missing.</summary>
    private static nint ResolvePcap(string export)
    {
        foreach (string name in (ReadOnlySpan<string>)["libpcap.so.1", "libpcap.so.0.8", "libpcap.so"])
        {
            if (NativeLibrary.TryLoad(name, out nint library) &&
                NativeLibrary.TryGetExport(library, export, out nint function))
            {
                return function;
            }
        }

        return 0;
    }
}
