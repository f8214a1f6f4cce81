using UserLvs.Forwarder.IO;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>A received frame copied out of the ring, with its metadata, for assertions.</summary>
internal sealed record ReceivedFrame(byte[] Bytes, int OriginalLength, RxFrameFlags Flags, ushort VlanTci, VirtioNetHeader Vnet)
{
    public bool IsTruncated => Bytes.Length < OriginalLength;

    public bool Is(ushort etherType) => Bytes.Length >= 14 && ((Bytes[12] << 8) | Bytes[13]) == etherType;

    public ushort DestinationPort => (ushort)((Bytes[36] << 8) | Bytes[37]);

    public ushort SourcePort => (ushort)((Bytes[34] << 8) | Bytes[35]);

    public bool IsTcp => Is(0x0800) && Bytes.Length > 23 && Bytes[23] == 6;

    public bool IsUdp => Is(0x0800) && Bytes.Length > 23 && Bytes[23] == 17;
}

internal static class PortDrain
{
    /// <summary>Receives from <paramref name="io"/> until <paramref name="done"/> says so or the
    /// deadline passes (bounded in time and, through the ring, in count).</summary>
    public static List<ReceivedFrame> Until(IFrameIo io, Func<List<ReceivedFrame>, bool> done, int timeoutMilliseconds = 3000,
        Action<List<ReceivedFrame>>? batches = null)
    {
        var frames = new List<ReceivedFrame>();
        var batch = new RxFrame[64];
        long deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (!done(frames) && Environment.TickCount64 < deadline)
        {
            if (!io.WaitForReceive(20))
            {
                continue;
            }

            int n = io.Receive(batch);
            var received = new List<ReceivedFrame>(n);
            for (int i = 0; i < n; i++)
            {
                RxFrame f = batch[i];
                received.Add(new ReceivedFrame(f.Data.ToArray(), f.OriginalLength, f.Flags, f.VlanTci, f.Vnet));
            }

            batches?.Invoke(received);
            frames.AddRange(received);

            io.ReleaseReceived();
        }

        return frames;
    }
}
