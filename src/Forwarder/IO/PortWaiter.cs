using static Interop;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// Sleeps until any of a worker's ports (its public ones and its private one) has frames: one poll(2)
/// over every socket for AF_PACKET rings and live libpcap handles, so an idle worker costs nothing and
/// a busy one never waits on a quiet side. Other backends are checked in turn with a short wait.
/// A socket reporting POLLERR (its device went down) has its error read and counted, or poll would
/// report it again at once, forever, and the worker spin; a deleted device throws, naming it.
/// </summary>
public static unsafe class PortWaiter
{
    private const int MaxPorts = 16;

    public static bool WaitForAny(IFrameIo[] ports, int timeoutMilliseconds)
    {
        bool allPollable = ports.Length <= MaxPorts;
        foreach (var port in ports)
        {
            if (port is PacketRingIo ring && ring.HasReadyFrames) return true;
            if (Descriptor(port) < 0) allPollable = false;
        }
        if (allPollable)
        {
            var fds = stackalloc PollFd[ports.Length];
            for (int i = 0; i < ports.Length; i++)
                fds[i] = new PollFd { fd = Descriptor(ports[i]), events = POLLIN | POLLERR };
            int rc = Poll(fds, (nuint)ports.Length, timeoutMilliseconds);
            if (rc <= 0) return false;
            for (int i = 0; i < ports.Length; i++)
                if ((fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 && ports[i] is PacketRingIo failed) failed.OnSocketError();
            return true;
        }
        foreach (var port in ports)
            if (port.WaitForReceive(0)) return true;
        return ports[0].WaitForReceive(Math.Min(timeoutMilliseconds, 1));
    }

    /// <summary>
    /// Watches the rings' status words (shared memory) for up to <paramref name="ticks"/> Stopwatch
    /// ticks. After a busy batch the answer to what was just forwarded usually comes within tens of
    /// microseconds; seeing it here saves the poll(2) sleep, the wake-up and the wait for a CPU that a
    /// frame landing on a sleeping worker costs. False at once for ports that are not rings.
    ///
    /// Between looks the worker yields its CPU (sched_yield) rather than spinning on it: when the
    /// processes that make the traffic (the real servers, the clients, the kernel's softirq work for
    /// them) wait for that CPU, they run at once, and when nothing else is runnable the call returns
    /// at once, so an idle box still sees a busy poll. Measured on the HTTP lab run (2 cores, wrk and
    /// three nginx on the same box): a spin with pause instructions burnt ~0.15 of a core for nothing
    /// and cost ~12% of the requests per second (bench/RESULTS.md, Lab).
    /// </summary>
    public static bool SpinUntilReady(IFrameIo[] ports, long ticks)
    {
        foreach (var port in ports)
            if (port is not PacketRingIo) return false;
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + ticks;
        do
        {
            foreach (var port in ports)
                if (((PacketRingIo)port).HasReadyFrames) return true;
            Thread.Yield();
        }
        while (System.Diagnostics.Stopwatch.GetTimestamp() < deadline);
        return false;
    }

    private static int Descriptor(IFrameIo port) => port switch
    {
        PacketRingIo ring => ring.FileDescriptor,
        PcapFrameIo pcap => pcap.PollDescriptor,
        _ => -1,
    };
}
