using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int PCAP_D_IN = 1;

    private static readonly Lazy<nint> s_pcapSetDirection = new(() => ResolvePcap("pcap_setdirection"));

    /// <summary>
    /// pcap_setdirection(3): PCAP_D_IN keeps a live handle from capturing what the host itself sends,
    /// as PACKET_IGNORE_OUTGOING does for the rings (SharpPcap does not wrap it). Returns -1 when
    /// libpcap or the function is missing.
    /// </summary>
    internal static unsafe int PcapSetDirection(nint pcap, int direction)
    {
        nint function = s_pcapSetDirection.Value;
        return function == 0 ? -1 : ((delegate* unmanaged<nint, int, int>)function)(pcap, direction);
    }
}
