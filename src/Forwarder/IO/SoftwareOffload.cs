namespace UserLvs.Forwarder.IO;

/// <summary>
/// What a backend without PACKET_VNET_HDR does with a frame whose vnet header asks for offload work:
/// an unfinished checksum is finished here (O(frame length)); a GSO super-frame cannot be sent as one
/// frame, so it is refused and counted (the forwarder segments, or runs with PACKET_VNET_HDR).
/// </summary>
internal static class SoftwareOffload
{
    /// <summary>True when the frame may be sent as it now is.</summary>
    public static bool TryPrepare(Span<byte> frame, in VirtioNetHeader vnet, FrameIoCounters counters)
    {
        if (vnet.IsEmpty)
        {
            return true;
        }

        if (vnet.IsGso || (vnet.NeedsChecksum && !vnet.TryCompleteChecksum(frame)))
        {
            counters.TxUnsupported++;
            return false;
        }

        return true;
    }
}
