using PacketDotNet;
using UserLvs.Forwarder.IO;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>The in-memory port behaves like a kernel ring: frames and metadata in, frames out after a
/// flush, truncation and full rings visible and counted, and no allocation in steady state.</summary>
public class MemoryFrameIoTests
{
    [Fact]
    public void Receive_ReturnsQueuedFramesInOrder_WithTheirBytesAndMetadata()
    {
        using var io = new MemoryFrameIo(vnetHeader: true);
        byte[] first = Udp("198.51.100.1", 1000, "192.0.2.10", 53);
        byte[] second = Tcp("198.51.100.2", 2000, "192.0.2.10", 80, payloadLength: 100);
        var gso = new VirtioNetHeader { Flags = VirtioNetHeaderFlags.NeedsChecksum, GsoType = VirtioGsoType.TcpV4, GsoSize = 1448, HeaderLength = 54, ChecksumStart = 34, ChecksumOffset = 16 };
        io.EnqueueReceive(first);
        io.EnqueueReceive(second, RxFrameFlags.ChecksumNotReady | RxFrameFlags.VlanValid, gso, vlanTci: 42);

        Span<RxFrame> batch = new RxFrame[8];
        Assert.True(io.WaitForReceive(0));
        int n = io.Receive(batch);

        Assert.Equal(2, n);
        Assert.Equal(first, batch[0].Data.ToArray());
        Assert.Equal(second, batch[1].Data.ToArray());
        Assert.False(batch[0].ChecksumNotReady);
        Assert.True(batch[1].ChecksumNotReady);
        Assert.Equal(42, batch[1].VlanTci);
        Assert.Equal(gso, batch[1].Vnet);
        Assert.True((batch[1].Flags & RxFrameFlags.HasVnetHeader) != 0);
        Assert.Equal(0, io.Receive(batch));
        Assert.False(io.WaitForReceive(0));
        io.ReleaseReceived();
        Assert.Equal(2, io.Counters.RxFrames);
    }

    [Fact]
    public void Receive_FrameLargerThanTheSlot_IsDeliveredCutAndCounted_NeverSilently()
    {
        using var io = new MemoryFrameIo(slotSize: 256);
        byte[] big = Udp("198.51.100.1", 1000, "192.0.2.10", 53, payloadLength: 1000);
        io.EnqueueReceive(big);

        Span<RxFrame> batch = new RxFrame[1];
        io.Receive(batch);

        Assert.Equal(256, batch[0].Length);
        Assert.Equal(big.Length, batch[0].OriginalLength);
        Assert.True(batch[0].IsTruncated);
        Assert.Equal(big.AsSpan(0, 256).ToArray(), batch[0].Data.ToArray());
        Assert.Equal(1, io.Counters.RxTruncated);
    }

    [Fact]
    public void EnqueueReceive_WhenTheRingHoldsUnreleasedFrames_DropsAndCounts()
    {
        using var io = new MemoryFrameIo(rxSlots: 2);
        byte[] frame = Udp("198.51.100.1", 1000, "192.0.2.10", 53);
        Assert.True(io.EnqueueReceive(frame));
        Assert.True(io.EnqueueReceive(frame));
        io.Receive(new RxFrame[2]);

        Assert.False(io.EnqueueReceive(frame)); // handed out but not released: slots still busy
        io.ReleaseReceived();
        Assert.True(io.EnqueueReceive(frame));
        Assert.Equal(1, io.Counters.RxDropped);
    }

    [Fact]
    public void Transmit_CommittedFrames_AppearOnlyAfterFlush_InOrder_WithTheirVnetHeader()
    {
        using var io = new MemoryFrameIo(vnetHeader: true);
        byte[] a = Udp("192.0.2.10", 53, "198.51.100.1", 1000);
        byte[] b = Udp("192.0.2.10", 53, "198.51.100.2", 2000);
        var partial = new VirtioNetHeader { Flags = VirtioNetHeaderFlags.NeedsChecksum, ChecksumStart = 34, ChecksumOffset = 6 };

        Assert.True(io.TryTransmit(a));
        Assert.True(io.TryTransmit(b, partial));
        Assert.Equal(0, io.TransmittedCount);
        Assert.Equal(2, io.FlushTx());

        Assert.Equal(a, io.TakeTransmitted(out VirtioNetHeader va));
        Assert.Equal(b, io.TakeTransmitted(out VirtioNetHeader vb));
        Assert.True(va.IsEmpty);
        Assert.Equal(partial, vb);
        Assert.Null(io.TakeTransmitted(out _));
    }

    [Fact]
    public void AcquireTx_WhenEverySlotIsInFlight_ReturnsEmptyAndCounts()
    {
        using var io = new MemoryFrameIo(txSlots: 2);
        byte[] frame = Udp("192.0.2.10", 53, "198.51.100.1", 1000);
        Assert.True(io.TryTransmit(frame));
        Assert.True(io.TryTransmit(frame));
        io.FlushTx();

        Assert.True(io.AcquireTx().IsEmpty);
        Assert.Equal(1, io.Counters.TxRingFull);
        io.TakeTransmitted(out _);
        Assert.False(io.AcquireTx().IsEmpty);
    }

    [Fact]
    public void CommitTx_WithoutVnetSupport_FinishesAnUnfinishedChecksumAndRefusesGso()
    {
        using var io = new MemoryFrameIo(vnetHeader: false);
        byte[] frame = Udp("192.0.2.10", 53, "198.51.100.1", 1000, payloadLength: 33);
        var parsed = (UdpPacket)((IPv4Packet)new EthernetPacket(new PacketDotNet.Utils.ByteArraySegment(frame)).PayloadPacket).PayloadPacket;
        ushort good = parsed.Checksum;
        // CHECKSUM_PARTIAL convention: the field holds the folded pseudo-header sum only.
        ushort pseudo = PseudoHeaderSum(frame);
        frame[40] = (byte)(pseudo >> 8);
        frame[41] = (byte)pseudo;
        var partial = new VirtioNetHeader { Flags = VirtioNetHeaderFlags.NeedsChecksum, ChecksumStart = 34, ChecksumOffset = 6 };
        var gso = new VirtioNetHeader { GsoType = VirtioGsoType.TcpV4, GsoSize = 1000 };

        Assert.True(io.TryTransmit(frame, partial));
        io.CommitTx(frame.Length, gso);
        io.FlushTx();

        byte[] sent = io.TakeTransmitted(out _)!;
        Assert.Equal(good, (ushort)((sent[40] << 8) | sent[41]));
        Assert.Null(io.TakeTransmitted(out _));
        Assert.Equal(1, io.Counters.TxUnsupported);
    }

    [Fact]
    public void ReceiveAndTransmit_100000FramesThroughIFrameIo_AllocateNothing()
    {
        using var memory = new MemoryFrameIo(rxSlots: 64, txSlots: 64) { DiscardTransmitted = true };
        IFrameIo io = memory;
        byte[] frame = Udp("198.51.100.1", 1000, "192.0.2.10", 53);
        var batch = new RxFrame[32];
        Pump(memory, io, frame, batch, 1000); // warm up: JIT, tiering

        long before = GC.GetAllocatedBytesForCurrentThread();
        int moved = Pump(memory, io, frame, batch, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100_000, moved);
        Assert.Equal(0, allocated);
    }

    private static int Pump(MemoryFrameIo memory, IFrameIo io, byte[] frame, RxFrame[] batch, int frames)
    {
        int moved = 0;
        while (moved < frames)
        {
            for (int i = 0; i < batch.Length && moved + i < frames; i++)
            {
                memory.EnqueueReceive(frame);
            }

            io.WaitForReceive(0);
            int n = io.Receive(batch);
            for (int i = 0; i < n; i++)
            {
                Span<byte> data = batch[i].Data;
                Span<byte> tx = io.AcquireTx();
                data.CopyTo(tx);
                io.CommitTx(data.Length);
            }

            io.FlushTx();
            io.ReleaseReceived();
            moved += n;
        }

        return moved;
    }

    private static ushort PseudoHeaderSum(byte[] frame)
    {
        uint sum = 0;
        for (int i = 26; i < 34; i += 2)
        {
            sum += (uint)((frame[i] << 8) | frame[i + 1]);
        }

        sum += 17;
        sum += (uint)(frame.Length - 34);
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)sum;
    }
}
