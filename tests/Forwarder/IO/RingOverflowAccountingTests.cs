using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Tests.Nat;
using UserLvs.Scheduling;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// "Every frame received is accounted for" includes the frames the kernel dropped because a worker's
/// ring was full: a burst of 40 frames into a 16-slot TPACKET_V2 ring while the worker is not yet
/// reading loses exactly 24 in the kernel, and the worker counts them as received and dropped with
/// reason RingOverflow (from PACKET_STATISTICS), next to the outcomes of the 16 it did see.
/// </summary>
public class RingOverflowAccountingTests
{
    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void BurstIntoAFullRing_KernelDropsAreCountedAsRingOverflow_AndTheAccountingBalances(RxRingVersion ring)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "pub0", ns, "pub1");
        lab.AddVeth(ns, "priv0", ns, "priv1");
        // V2: 16 slots of 2 KiB. V3: one 4 KiB block (with a block timeout long enough that the kernel
        // does not retire it first) holds a handful of frames; the rest is dropped, how many is the kernel's count.
        var options = new PacketRingOptions("pub1") { RxRing = ring, RxFrameCount = 16, BlockSize = Environment.SystemPageSize, BlockCount = 1, BlockTimeoutMilliseconds = 1000, TxFrameCount = 16 };
        using var publicPort = NetnsLab.Run(ns, () => PacketRingIo.Open(options));
        using var privatePort = NetnsLab.Run(ns, () => PacketRingIo.Open(options with { InterfaceName = "priv1" }));
        using var injector = NetnsLab.Run(ns, () => RawPacketSocket.Open("pub0"));
        var templates = new PersistenceTemplateTable(64);
        var engine = new NatEngine(new ServiceTable(), new ConnectionTable(256, new IpvsTimeouts(), templates), templates,
            new NeighbourTable(), NatLab.Router, publicPort, privatePort);
        using var worker = new NatWorker(engine, publicPort, privatePort, "ring-overflow-test");

        for (int i = 0; i < 40; i++)
        {
            injector.Send(Udp("198.51.100.1", (ushort)(1000 + i), "192.0.2.10", 7777, 20));
        }

        Thread.Sleep(100); // the veth delivers in softirq; the ring is full long before this
        worker.Start();
        for (int i = 0; i < 100 && engine.Stats.Received < 40; i++)
        {
            Thread.Sleep(50); // the worker reads the kernel's counters about once a second
        }

        Assert.True(worker.Stop(TimeSpan.FromSeconds(2)));
        var stats = engine.Stats;
        long overflow = stats.Dropped(DropReason.RingOverflow);
        Assert.Equal(40, stats.Received);
        Assert.Equal(publicPort.Counters.RxDropped, overflow);
        Assert.Equal(40 - publicPort.Counters.RxFrames, overflow);
        if (ring == RxRingVersion.V2)
        {
            Assert.Equal(24, overflow);
        }
        else
        {
            Assert.InRange(overflow, 1, 39);
        }

        Assert.True(stats.IsBalanced);
        Assert.Null(worker.Failure);
    }
}
