using UserLvs.Forwarder.IO;
using Xunit.Abstractions;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// What only the TPACKET_V2 ring does, on veth pairs in private network namespaces: a frame bigger than
/// its 2 KiB slot (a 64 KiB GRO/GSO super-frame) reaches the worker whole, virtio_net_hdr included,
/// through the socket's queue (TP_STATUS_COPY); without room there it arrives cut and counted; ring
/// overflows are read from the kernel and accumulated. Also, for both layouts: a port whose device goes
/// down counts it once and sleeps (no POLLERR spin) until the device is back; a deleted device makes
/// the wait throw, naming it.
/// </summary>
public class PacketRingV2Tests(ITestOutputHelper output)
{
    private const int SlotSize = 2048;

    [LabFact]
    public void SuperFramesBiggerThanASlot_ArriveWholeWithTheirVnetHeader_AtMostSpillBuffersPerBatch()
    {
        var options = new PacketRingOptions("b0") { RxRing = RxRingVersion.V2, RxFrameSize = SlotSize, VnetHeader = true, SpillBuffers = 2 };
        int mostPerBatch = 0;
        var (frames, counters) = PacketRingIoTests.CaptureTcpStream(options, receiveAfter: true,
            batches: batch => mostPerBatch = Math.Max(mostPerBatch, batch.Count(f => f.OriginalLength > SlotSize)));
        List<ReceivedFrame> data = frames.Where(f => f.IsTcp && f.DestinationPort == 5001 && TcpPayloadLength(f) > 0).ToList();
        List<ReceivedFrame> super = data.Where(f => f.OriginalLength > SlotSize).ToList();

        output.WriteLine($"{data.Count} data frames, {super.Count} bigger than a slot, largest {data.Max(f => f.OriginalLength)}, most per batch {mostPerBatch}");
        Assert.Equal(4 << 20, CoveredSequenceSpace(data)); // every payload byte (a retransmission may repeat some)
        Assert.NotEmpty(super);
        Assert.All(data, f => Assert.Equal(f.OriginalLength, f.Bytes.Length));
        Assert.Equal(0, counters.RxTruncated);
        Assert.All(super, f =>
        {
            Assert.True(f.Flags.HasFlag(RxFrameFlags.HasVnetHeader | RxFrameFlags.ChecksumNotReady));
            Assert.Equal(VirtioGsoType.TcpV4, f.Vnet.GsoType);
            Assert.InRange(f.Vnet.GsoSize, 500, 1460);
            Assert.Equal(34, f.Vnet.ChecksumStart);
        });
        Assert.InRange(mostPerBatch, 1, 2); // a batch stops when the spill buffers run out, and goes on after release
    }

    [LabFact]
    public void SuperFramesWithNoRoomInTheSocketQueue_ArriveCut_AndEveryOneIsCounted()
    {
        // The smallest receive buffer: the kernel queues a whole copy only while the queue is empty.
        var options = new PacketRingOptions("b0") { RxRing = RxRingVersion.V2, RxFrameSize = SlotSize, VnetHeader = true, ReceiveBufferBytes = 0 };
        var (frames, counters) = PacketRingIoTests.CaptureTcpStream(options, receiveAfter: true);
        List<ReceivedFrame> cut = frames.Where(f => f.IsTruncated).ToList();

        output.WriteLine($"{frames.Count} frames, {cut.Count} cut, counted {counters.RxTruncated}, whole super-frames {frames.Count(f => !f.IsTruncated && f.OriginalLength > SlotSize)}");
        Assert.NotEmpty(cut);
        Assert.All(cut, f => Assert.True(f.Bytes.Length < SlotSize && f.OriginalLength > SlotSize));
        Assert.Equal(cut.Count, counters.RxTruncated);
    }

    [LabFact]
    public void RingOverflow_KernelDropsAreRead_AndAccumulateAcrossReads()
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var port = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p1") { RxRing = RxRingVersion.V2, RxFrameCount = 16 }));
        using var injector = NetnsLab.Run(ns, () => RawPacketSocket.Open("p0"));

        for (int i = 0; i < 40; i++)
        {
            injector.Send(Udp("198.51.100.1", (ushort)(1000 + i), "192.0.2.10", 7777, 20));
        }

        Thread.Sleep(200);
        port.ReadKernelStatistics();
        long drops = port.Counters.RxDropped;
        port.ReadKernelStatistics(); // the kernel's counter reset on the first read; ours keeps the total
        List<ReceivedFrame> got = PortDrain.Until(port, fs => fs.Count >= 16, 1000);

        Assert.Equal(16, got.Count(f => f.IsUdp && f.DestinationPort == 7777));
        Assert.Equal(24, drops);
        Assert.Equal(24, port.Counters.RxDropped);
    }

    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void DeviceDeleted_TheWorkersWaitThrowsNamingTheInterface_InsteadOfReportingFramesForever(RxRingVersion ring)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var port = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p1") { RxRing = ring, BlockSize = 64 * 1024, BlockCount = 4, RxFrameCount = 64 }));
        IFrameIo[] ports = [port];
        Assert.False(PortWaiter.WaitForAny(ports, 50));

        NetnsLab.Ip($"-n {ns} link del p0"); // takes its peer p1 with it

        var e = Assert.Throws<IOException>(() => PortWaiter.WaitForAny(ports, 1000));
        Assert.Contains("'p1'", e.Message);
        Assert.Contains("deleted", e.Message);
    }

    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void LinkDownThenUp_ThePortCountsItSleepsWithoutSpinning_AndReceivesAgain(RxRingVersion ring)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var port = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p1") { RxRing = ring, BlockSize = 64 * 1024, BlockCount = 4, RxFrameCount = 64 }));
        using var injector = NetnsLab.Run(ns, () => RawPacketSocket.Open("p0"));
        IFrameIo[] ports = [port];

        NetnsLab.Ip($"-n {ns} link set p1 down");

        PortWaiter.WaitForAny(ports, 1000); // reports the error once, which the port reads and counts
        Assert.Equal(1, port.Counters.DeviceDown);
        Assert.False(PortWaiter.WaitForAny(ports, 200)); // no POLLERR again and again: the worker sleeps
        Assert.False(port.WaitForReceive(50));

        NetnsLab.Ip($"-n {ns} link set p1 up");
        byte[] frame = Udp("198.51.100.1", 1111, "192.0.2.10", 7777, 20);
        List<ReceivedFrame> got = [];
        for (int i = 0; i < 50 && got.Count == 0; i++) // the peer's carrier comes back asynchronously
        {
            injector.Send(frame);
            got = PortDrain.Until(port, fs => fs.Count > 0, 100).Where(f => f.IsUdp && f.DestinationPort == 7777).ToList();
        }

        Assert.Equal(frame, Assert.Single(got.Take(1)).Bytes);
        Assert.Equal(1, port.Counters.DeviceDown);
    }

    private static long CoveredSequenceSpace(List<ReceivedFrame> data)
    {
        long covered = 0, end = long.MinValue;
        uint first = TcpSequence(data[0]);
        // Offsets from the first frame in sequence-number arithmetic (the initial sequence may be near a wrap).
        foreach (var (start, length) in data.Select(f => ((long)(int)(TcpSequence(f) - first), TcpPayloadLength(f))).OrderBy(r => r.Item1))
        {
            long from = Math.Max(start, end);
            if (start + length > from)
            {
                covered += start + length - from;
            }

            end = Math.Max(end, start + length);
        }

        return covered;
    }

    private static uint TcpSequence(ReceivedFrame f)
    {
        int tcp = 14 + ((f.Bytes[14] & 0x0f) * 4);
        return (uint)((f.Bytes[tcp + 4] << 24) | (f.Bytes[tcp + 5] << 16) | (f.Bytes[tcp + 6] << 8) | f.Bytes[tcp + 7]);
    }

    // IPv4 total length minus the IP and TCP headers, from the frame's own bytes.
    private static int TcpPayloadLength(ReceivedFrame f) =>
        ((f.Bytes[16] << 8) | f.Bytes[17]) - ((f.Bytes[14] & 0x0f) * 4) - ((f.Bytes[14 + ((f.Bytes[14] & 0x0f) * 4) + 12] >> 4) * 4);
}
