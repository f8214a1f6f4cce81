using static Interop;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// Sleeps until any of a worker's ports (its public ones and its private one) has frames: one poll(2)
/// over every socket for AF_PACKET rings, so an idle worker costs nothing and a busy one never waits
/// on a quiet side. Other backends are checked in turn with a short wait.
/// A socket reporting POLLERR (its device went down or away) throws instead of returning: poll would
/// report it again at once, forever, and the worker would spin on a port that receives nothing.
/// </summary>
public static unsafe class PortWaiter
{
    private const int MaxPorts = 16;

    public static bool WaitForAny(IFrameIo[] ports, int timeoutMilliseconds)
    {
        bool allRings = ports.Length <= MaxPorts;
        foreach (var port in ports)
        {
            if (port is not PacketRingIo ring) { allRings = false; continue; }
            if (ring.HasReadyFrames) return true;
        }
        if (allRings)
        {
            var fds = stackalloc PollFd[ports.Length];
            for (int i = 0; i < ports.Length; i++)
                fds[i] = new PollFd { fd = ((PacketRingIo)ports[i]).FileDescriptor, events = POLLIN | POLLERR };
            int rc = Poll(fds, (nuint)ports.Length, timeoutMilliseconds);
            if (rc <= 0) return false;
            for (int i = 0; i < ports.Length; i++)
                if ((fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) ((PacketRingIo)ports[i]).ThrowIfSocketFailed();
            return true;
        }
        foreach (var port in ports)
            if (port.WaitForReceive(0)) return true;
        return ports[0].WaitForReceive(Math.Min(timeoutMilliseconds, 1));
    }
}
