using System.Diagnostics;
using UserLvs.Forwarder.IO;
using UserLvs.Tests.Shared;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// The AF_PACKET ring's own per-frame work allocates nothing once it runs steadily: transmitting with
/// a virtio header (CommitTx asks for the whole-frame copy), flushing, receiving and releasing, and
/// the worker's wait between batches (PortWaiter.SpinUntilReady, which yields the CPU between looks).
/// The NAT path's own allocation tests use the in-memory backend; this one covers the real rings.
/// </summary>
public class RingAllocationTests
{
    private const int FramesPerRound = 4096;
    private const int FlushEvery = 32;

    [LabFact]
    public void TransmittingReceivingAndWaitingOnTheRings_AllocatesNothing()
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var sender = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p1") { VnetHeader = true }));
        using var receiver = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p0") { VnetHeader = true }));
        byte[] frame = Udp("192.0.2.10", 53, "198.51.100.9", 40000, payloadLength: 200);
        var frames = new RxFrame[64];
        IFrameIo[] ports = [receiver];
        long spinTicks = Stopwatch.Frequency / 10_000; // 100 µs, as the worker
        int received = 0;

        void Round()
        {
            for (int i = 0; i < FramesPerRound; i++)
            {
                if (!sender.TryTransmit(frame)) { sender.FlushTx(); sender.TryTransmit(frame); }
                if (i % FlushEvery == FlushEvery - 1) sender.FlushTx();
                if (PortWaiter.SpinUntilReady(ports, spinTicks))
                {
                    received += receiver.Receive(frames);
                    receiver.ReleaseReceived();
                }
            }
            sender.FlushTx();
            while (PortWaiter.SpinUntilReady(ports, spinTicks))
            {
                received += receiver.Receive(frames);
                receiver.ReleaseReceived();
            }
        }

        Round(); // warm-up: every path jitted through its tiers
        received = 0;
        long allocated = SteadyStateAllocations.OfQuietestRound(Round);

        Assert.Equal(0, allocated);
        Assert.True(received >= FramesPerRound, $"received {received} frames"); // the rings really carried them
        Assert.Equal(0, sender.Counters.TxErrors);
    }
}
