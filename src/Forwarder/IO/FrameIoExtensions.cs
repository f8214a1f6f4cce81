namespace UserLvs.Forwarder.IO;

/// <summary>Conveniences over <see cref="IFrameIo"/> for callers that already hold a frame elsewhere.</summary>
public static class FrameIoExtensions
{
    /// <summary>Copies <paramref name="frame"/> into a TX buffer and commits it (no flush). False when
    /// no buffer is free, the frame does not fit or the port refuses it.</summary>
    public static bool TryTransmit(this IFrameIo io, ReadOnlySpan<byte> frame, in VirtioNetHeader vnet = default)
    {
        Span<byte> buffer = io.AcquireTx();
        if (buffer.Length < frame.Length || buffer.IsEmpty)
        {
            if (!buffer.IsEmpty)
            {
                io.Counters.TxUnsupported++;
            }

            return false;
        }

        frame.CopyTo(buffer);
        return io.CommitTx(frame.Length, vnet);
    }
}
