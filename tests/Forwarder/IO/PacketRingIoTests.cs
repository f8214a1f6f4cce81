using Xunit.Abstractions;
using System.Net;
using System.Net.Sockets;
using UserLvs.Forwarder.IO;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// The AF_PACKET port on real veth pairs inside private network namespaces, with both RX ring layouts
/// (TPACKET_V2 per-frame slots, TPACKET_V3 blocks): bytes and metadata in, frames out, offload metadata
/// (CSUMNOTREADY, virtio_net_hdr GSO) from a real TCP stream, truncation counted, vnet GSO handed back
/// to the kernel on transmit, fanout. V2-only and V3-only behaviour is in PacketRingV2Tests and the
/// V3 truncation test here.
/// </summary>
public class PacketRingIoTests(ITestOutputHelper output)
{
    private static PacketRingOptions Small(string name, RxRingVersion ring) =>
        new(name) { RxRing = ring, BlockSize = 64 * 1024, BlockCount = 8, RxFrameCount = 256, TxFrameCount = 64 };

    [Fact]
    public void Open_OnAMissingInterface_FailsWithAnErrorNamingIt()
    {
        var e = Assert.Throws<IOException>(() => PacketRingIo.Open(new PacketRingOptions("ulvs-nope0")));

        Assert.Contains("'ulvs-nope0'", e.Message);
    }

    [LabFact]
    public void NetworkInterfaceInfo_ReadsIndexMacAndMtu_InTheCallingThreadsNamespace()
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        NetnsLab.Ip($"-n {ns} link set p1 address 02:00:5e:10:20:30 mtu 1400");

        var (index, mac, mtu) = NetnsLab.Run(ns, () =>
            (NetworkInterfaceInfo.GetIndex("p1"), NetworkInterfaceInfo.GetMacAddress("p1"), NetworkInterfaceInfo.GetMtu("p1")));

        Assert.True(index > 1); // 1 is the namespace's loopback
        Assert.Equal("02005E102030", mac.ToString());
        Assert.Equal(1400, mtu);
        Assert.Throws<IOException>(() => NetworkInterfaceInfo.GetMacAddress("p1")); // not in this thread's namespace
    }

    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void Receive_FramesSentOnThePeer_ArriveWithTheirExactBytesAndMetadata(RxRingVersion ring)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var port = NetnsLab.Run(ns, () => PacketRingIo.Open(Small("p1", ring)));
        using var injector = NetnsLab.Run(ns, () => RawPacketSocket.Open("p0"));
        byte[][] sent = [Udp("198.51.100.1", 1111, "192.0.2.10", 7777, 10, 1), Udp("198.51.100.2", 2222, "192.0.2.10", 7777, 200, 2), Tcp("198.51.100.3", 3333, "192.0.2.10", 7777, 1000)];
        byte[] tagged = WithVlanTag(Udp("198.51.100.4", 4444, "192.0.2.10", 7777, 30, 4), vlanId: 42);

        foreach (byte[] frame in sent)
        {
            injector.Send(frame);
        }

        injector.Send(tagged);
        List<ReceivedFrame> got = PortDrain.Until(port, fs => fs.Count(f => f.Is(0x0800) && f.DestinationPort == 7777) == 4)
            .Where(f => f.Is(0x0800) && f.DestinationPort == 7777).ToList();

        Assert.Equal(4, got.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(sent[i], got[i].Bytes);
            Assert.Equal(sent[i].Length, got[i].OriginalLength);
            Assert.False((got[i].Flags & (RxFrameFlags.ChecksumNotReady | RxFrameFlags.VlanValid)) != 0);
        }

        // The kernel takes the 802.1Q tag out of the frame and reports it beside it.
        Assert.Equal(Udp("198.51.100.4", 4444, "192.0.2.10", 7777, 30, 4), got[3].Bytes);
        Assert.True((got[3].Flags & RxFrameFlags.VlanValid) != 0);
        Assert.Equal(42, got[3].VlanTci & 0x0fff);
        Assert.Equal(0, port.Counters.RxTruncated);
    }

    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void Transmit_ABatchOnThePort_ArrivesAtThePeerInOrder(RxRingVersion ring)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var port = NetnsLab.Run(ns, () => PacketRingIo.Open(Small("p1", ring)));
        using var capture = NetnsLab.Run(ns, () => RawPacketSocket.Open("p0"));
        byte[][] frames = [.. Enumerable.Range(0, 5).Select(i => Udp("192.0.2.10", 7777, "198.51.100.9", (ushort)(9000 + i), 40 + i))];

        foreach (byte[] frame in frames)
        {
            Assert.True(port.TryTransmit(frame));
        }

        Assert.Equal(5, port.FlushTx());
        var received = new List<byte[]>();
        for (int i = 0; i < frames.Length; i++)
        {
            byte[]? got = RawPacketSocket.ReceiveMatching(capture, f => f.Length > 37 && f[34] == 0x1e && f[35] == 0x61);
            if (got is not null)
            {
                received.Add(got);
            }
        }

        Assert.Equal(frames, received);
        Assert.Equal(0, port.Counters.TxErrors);
    }

    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void TcpStreamAcrossVethWithOffloadsOn_ShowsGsoSuperFramesAndUnfinishedChecksums_WithoutTruncation(RxRingVersion ring)
    {
        var (frames, counters) = CaptureTcpStream(new PacketRingOptions("b0") { RxRing = ring, VnetHeader = true, BlockCount = 32 });
        List<ReceivedFrame> data = frames.Where(f => f.IsTcp && f.DestinationPort == 5001 && f.OriginalLength > 66).ToList();

        Assert.NotEmpty(data);
        Assert.All(data, f => Assert.False(f.IsTruncated));
        Assert.Equal(0, counters.RxTruncated);
        List<ReceivedFrame> super = data.Where(f => f.OriginalLength > 1514).ToList();
        output.WriteLine($"{data.Count} data frames, {super.Count} super-frames, largest {data.Max(f => f.OriginalLength)}, first {super.FirstOrDefault()?.Vnet}");
        Assert.NotEmpty(super); // veth passes TSO/GSO super-frames up to 64 KiB
        Assert.All(super, f =>
        {
            Assert.True(f.Flags.HasFlag(RxFrameFlags.ChecksumNotReady));
            Assert.Equal(VirtioGsoType.TcpV4, f.Vnet.GsoType);
            Assert.InRange(f.Vnet.GsoSize, 500, 1460);
            Assert.True(f.Vnet.NeedsChecksum);
            Assert.Equal(34, f.Vnet.ChecksumStart);
            Assert.Equal(16, f.Vnet.ChecksumOffset);
        });
    }

    [LabFact]
    public void V3_TcpStreamWithBlocksSmallerThanAGsoFrame_DeliversThemCutAndCountsEveryOne()
    {
        var (frames, counters) = CaptureTcpStream(new PacketRingOptions("b0") { RxRing = RxRingVersion.V3, BlockSize = 8192, BlockCount = 256 });
        List<ReceivedFrame> cut = frames.Where(f => f.IsTruncated).ToList();

        output.WriteLine($"{frames.Count} frames, {cut.Count} cut, counted {counters.RxTruncated}, kernel drops {counters.RxDropped}");
        Assert.NotEmpty(cut);
        Assert.All(cut, f => Assert.True(f.Bytes.Length < 8192 && f.OriginalLength > 8192));
        Assert.True(counters.RxTruncated >= cut.Count);
    }

    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void TransmitWithVnetHeader_AGsoSuperFrameWithUnfinishedChecksum_IsAcceptedAndKeepsItsOffloadState(RxRingVersion ring)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var sender = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p1") { RxRing = ring, VnetHeader = true, BlockSize = 128 * 1024, BlockCount = 4, TxFrameCount = 8 }));
        using var receiver = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p0") { RxRing = ring, VnetHeader = true, BlockSize = 256 * 1024, BlockCount = 8 }));
        byte[] frame = Tcp("192.0.2.10", 80, "198.51.100.9", 40000, payloadLength: 10_000);
        ushort pseudo = TcpPseudoHeaderSum(frame);
        frame[50] = (byte)(pseudo >> 8);
        frame[51] = (byte)pseudo;
        var vnet = new VirtioNetHeader
        {
            Flags = VirtioNetHeaderFlags.NeedsChecksum, GsoType = VirtioGsoType.TcpV4, GsoSize = 1000,
            HeaderLength = 54, ChecksumStart = 34, ChecksumOffset = 16,
        };

        Assert.True(sender.TryTransmit(frame, vnet));
        sender.FlushTx();
        List<ReceivedFrame> got = PortDrain.Until(receiver, fs => fs.Where(f => f.IsTcp && f.SourcePort == 80).Sum(f => f.OriginalLength - 54) >= 10_000)
            .Where(f => f.IsTcp && f.SourcePort == 80).ToList();

        output.WriteLine($"GSO frame arrived as {got.Count} frame(s): {string.Join(", ", got.Select(f => $"{f.OriginalLength} {f.Vnet}"))}");
        Assert.Equal(10_000, got.Sum(f => f.OriginalLength - 54));
        Assert.Equal(0, sender.Counters.TxErrors);
        if (got.Count == 1)
        {
            // veth forwards the GSO frame whole: the peer sees the same offload request.
            Assert.Equal(VirtioGsoType.TcpV4, got[0].Vnet.GsoType);
            Assert.Equal(1000, got[0].Vnet.GsoSize);
            Assert.True(got[0].Vnet.NeedsChecksum);
        }
        else
        {
            Assert.Equal(10, got.Count);
        }
    }

    [LabTheory]
    [InlineData(RxRingVersion.V2)]
    [InlineData(RxRingVersion.V3)]
    public void CbpfFanout_ARequestAndItsNatReply_ReachTheSameWorkersSockets(RxRingVersion ring)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "pub0", ns, "pub1");
        lab.AddVeth(ns, "priv0", ns, "priv1");
        const int workers = 2;
        ushort group = (ushort)(0x4000 | (Environment.ProcessId & 0x3fff));
        var publicProgram = FanoutProgram.Build(ClientSide.Source, workers);
        var privateProgram = FanoutProgram.Build(ClientSide.Destination, workers);
        // Worker i joins each group i-th: that order is the fanout index.
        PacketRingIo[] pub = NetnsLab.Run(ns, () => Enumerable.Range(0, workers)
            .Select(_ => PacketRingIo.Open(Small("pub1", ring) with { Fanout = new FanoutGroup(group, publicProgram) })).ToArray());
        PacketRingIo[] priv = NetnsLab.Run(ns, () => Enumerable.Range(0, workers)
            .Select(_ => PacketRingIo.Open(Small("priv1", ring) with { Fanout = new FanoutGroup((ushort)(group + 1), privateProgram) })).ToArray());
        using var pubInjector = NetnsLab.Run(ns, () => RawPacketSocket.Open("pub0"));
        using var privInjector = NetnsLab.Run(ns, () => RawPacketSocket.Open("priv0"));
        try
        {
            var clients = Enumerable.Range(0, 16).Select(i => ($"198.51.100.{10 + i}", (ushort)(40000 + 7 * i))).ToArray();
            foreach (var (ip, port) in clients)
            {
                byte[] request = Tcp(ip, port, "192.0.2.10", 80);
                pubInjector.Send(port % 3 == 0 ? WithVlanTag(request, 7) : request);
                privInjector.Send(Tcp("10.1.0.5", 8080, ip, port));
            }

            var requestWorker = new Dictionary<ushort, int>();
            var replyWorker = new Dictionary<ushort, int>();
            for (int w = 0; w < workers; w++)
            {
                foreach (ReceivedFrame f in PortDrain.Until(pub[w], _ => false, 400).Where(f => f.IsTcp && f.DestinationPort == 80))
                {
                    requestWorker[f.SourcePort] = w;
                }

                foreach (ReceivedFrame f in PortDrain.Until(priv[w], _ => false, 400).Where(f => f.IsTcp && f.SourcePort == 8080))
                {
                    replyWorker[f.DestinationPort] = w;
                }
            }

            Assert.Equal(clients.Length, requestWorker.Count);
            Assert.Equal(clients.Length, replyWorker.Count);
            foreach (var (ip, port) in clients)
            {
                Assert.Equal(requestWorker[port], replyWorker[port]);
                Assert.Equal(FanoutProgram.WorkerFor(Address(ip), port, workers), requestWorker[port]);
            }

            Assert.Equal(workers, requestWorker.Values.Distinct().Count());
        }
        finally
        {
            foreach (PacketRingIo io in pub.Concat(priv))
            {
                io.Dispose();
            }
        }
    }

    // A 4 MB TCP transfer from namespace A (10.9.0.1) to B (10.9.0.2:5001) over veth a0-b0 with the
    // kernel's default offloads, watched by a port on b0: received while it runs, or (receiveAfter)
    // only once it is over, so whatever the ring and the socket queue hold is all there is. The
    // optional batch observer sees each Receive batch.
    internal static (List<ReceivedFrame> Frames, FrameIoCounters Counters) CaptureTcpStream(
        PacketRingOptions options, bool receiveAfter = false, Action<List<ReceivedFrame>>? batches = null)
    {
        using var lab = new NetnsLab();
        string a = lab.AddNamespace();
        string b = lab.AddNamespace();
        lab.AddVeth(a, "a0", b, "b0");
        NetnsLab.Ip($"-n {a} addr add 10.9.0.1/24 dev a0");
        NetnsLab.Ip($"-n {b} addr add 10.9.0.2/24 dev b0");
        using var port = NetnsLab.Run(b, () => PacketRingIo.Open(options));
        using var listener = NetnsLab.Run(b, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Parse("10.9.0.2"), 5001));
            s.Listen(1);
            return s;
        });
        using var client = NetnsLab.Run(a, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));

        const int total = 4 << 20;
        var server = Task.Run(() =>
        {
            using Socket conn = listener.Accept();
            var buffer = new byte[256 * 1024];
            int read = 0, n;
            while (read < total && (n = conn.Receive(buffer)) > 0)
            {
                read += n;
            }

            return read;
        });
        var sender = Task.Run(() =>
        {
            client.Connect(new IPEndPoint(IPAddress.Parse("10.9.0.2"), 5001));
            var chunk = new byte[1 << 20];
            for (int i = 0; i < total / chunk.Length; i++)
            {
                client.Send(chunk);
            }
        });

        if (receiveAfter)
        {
            Assert.True(server.Wait(15_000), "the TCP transfer did not finish");
        }

        List<ReceivedFrame> frames = receiveAfter
            ? PortDrain.Until(port, _ => false, 500, batches)
            : PortDrain.Until(port, _ => server.IsCompleted, 15_000, batches);
        Assert.True(server.Wait(5_000), "the TCP transfer did not finish");
        Assert.Equal(total, server.Result);
        sender.Wait(1_000);
        return (frames, port.Counters);
    }

    private static ushort TcpPseudoHeaderSum(byte[] frame)
    {
        uint sum = 0;
        for (int i = 26; i < 34; i += 2)
        {
            sum += (uint)((frame[i] << 8) | frame[i + 1]);
        }

        sum += 6;
        sum += (uint)(frame.Length - 34);
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)sum;
    }
}
