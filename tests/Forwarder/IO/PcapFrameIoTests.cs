using System.Buffers.Binary;
using System.Runtime.InteropServices;
using UserLvs.Forwarder.IO;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>The libpcap backend: live receive and transmit on veth, and replay of a pcap file with
/// a record cut by its snap length surfaced as truncated.</summary>
public class PcapFrameIoTests
{
    [PcapFact]
    public void OpenFile_ReplaysEveryRecordInOrder_AndSurfacesACutRecord()
    {
        byte[] a = Udp("198.51.100.1", 1111, "192.0.2.10", 53, 20, 1);
        byte[] b = Tcp("198.51.100.2", 2222, "192.0.2.10", 80, 300);
        string path = Path.Combine(Path.GetTempPath(), $"ulvsio{Environment.ProcessId}_{Guid.NewGuid():N}.pcap");
        try
        {
            // b is stored cut to 60 bytes, as a capture with snaplen 60 would have it.
            WritePcap(path, (a, a.Length), (b, 60));
            using var io = PcapFrameIo.OpenFile(path);

            List<ReceivedFrame> got = PortDrain.Until(io, _ => io.EndOfFile, 2000);

            Assert.Equal(2, got.Count);
            Assert.Equal(a, got[0].Bytes);
            Assert.False(got[0].IsTruncated);
            Assert.Equal(b.AsSpan(0, 60).ToArray(), got[1].Bytes);
            Assert.Equal(b.Length, got[1].OriginalLength);
            Assert.Equal(1, io.Counters.RxTruncated);
            Assert.True(io.AcquireTx().IsEmpty); // a file is not a place to transmit to
        }
        finally
        {
            File.Delete(path);
        }
    }

    [PcapFact]
    public void OpenLive_OnAMissingInterface_FailsWithAnErrorNamingIt()
    {
        var e = Assert.Throws<IOException>(() => PcapFrameIo.OpenLive("ulvs-nope0"));

        Assert.Contains("'ulvs-nope0'", e.Message);
    }

    [PcapLabFact]
    public void Live_ReceivesAFrameSentOnThePeer_AndTransmitsOneThatArrivesThere()
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var io = NetnsLab.Run(ns, () => PcapFrameIo.OpenLive("p1"));
        using var peer = NetnsLab.Run(ns, () => RawPacketSocket.Open("p0"));
        byte[] inbound = Udp("198.51.100.1", 1111, "192.0.2.10", 7777, 64, 7);
        byte[] outbound = Udp("192.0.2.10", 7777, "198.51.100.1", 1111, 64, 8);

        peer.Send(inbound);
        List<ReceivedFrame> got = PortDrain.Until(io, fs => fs.Any(f => f.IsUdp && f.DestinationPort == 7777));
        Assert.True(io.TryTransmit(outbound));
        Assert.Equal(1, io.FlushTx());
        byte[]? arrived = RawPacketSocket.ReceiveMatching(peer, f => f.AsSpan().SequenceEqual(outbound));

        Assert.Equal(inbound, got.Single(f => f.IsUdp && f.DestinationPort == 7777).Bytes);
        Assert.NotNull(arrived);
    }

    private static void WritePcap(string path, params (byte[] Frame, int Kept)[] records)
    {
        using var stream = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1); // LINKTYPE_ETHERNET
        stream.Write(header);
        Span<byte> record = stackalloc byte[16];
        foreach (var (frame, kept) in records)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)kept);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
            stream.Write(record);
            stream.Write(frame, 0, kept);
        }
    }

    internal static string? PcapSkipReason
    {
        get
        {
            foreach (string name in (string[])["libpcap.so.1", "libpcap.so.0.8", "libpcap.so"])
            {
                if (NativeLibrary.TryLoad(name, out IntPtr handle))
                {
                    NativeLibrary.Free(handle);
                    return null;
                }
            }

            return "libpcap is not installed (apt-get install libpcap0.8): SharpPcap backend tests skipped.";
        }
    }
}

/// <summary>A fact that needs libpcap; skipped with the reason otherwise.</summary>
internal sealed class PcapFactAttribute : FactAttribute
{
    public PcapFactAttribute() => Skip = PcapFrameIoTests.PcapSkipReason;
}

/// <summary>A fact that needs libpcap, root and iproute2.</summary>
internal sealed class PcapLabFactAttribute : FactAttribute
{
    public PcapLabFactAttribute() => Skip = PcapFrameIoTests.PcapSkipReason ?? NetnsLab.SkipReason;
}
