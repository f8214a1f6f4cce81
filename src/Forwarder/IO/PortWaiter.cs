using static Interop;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// Sleeps until either of a worker's two ports (public and private) has frames: one poll(2) over both
/// sockets for AF_PACKET rings, so an idle worker costs nothing and a busy one never waits on the
/// quiet side. Other backends are checked in turn with a short wait.
/// </summary>
public static unsafe class PortWaiter
{
    public static bool WaitForEither(IFrameIo first, IFrameIo second, int timeoutMilliseconds)
    {
        if (first is PacketRingIo a && second is PacketRingIo b)
        {
            if (a.HasReadyFrames || b.HasReadyFrames) return true;
            var fds = stackalloc PollFd[2];
            fds[0] = new PollFd { fd = a.FileDescriptor, events = POLLIN | POLLERR };
            fds[1] = new PollFd { fd = b.FileDescriptor, events = POLLIN | POLLERR };
            int rc = Poll(fds, 2, timeoutMilliseconds);
            return rc > 0 || a.HasReadyFrames || b.HasReadyFrames;
        }
        if (first.WaitForReceive(0) || second.WaitForReceive(0)) return true;
        return first.WaitForReceive(Math.Min(timeoutMilliseconds, 1)) || second.WaitForReceive(0);
    }
}
