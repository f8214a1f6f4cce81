using UserLvs.Forwarder.IO;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// On a ring with PACKET_VNET_HDR, an ordinary frame asks the kernel to copy all of it into the skb
/// (virtio hdr_len = the frame's length) instead of attaching the TX slot as zero-copy fragments,
/// which a veth or bridge would copy again into fresh pages (skb_copy_ubufs) on the way to a local
/// socket. GSO super-frames keep their fragments and their own hdr_len.
/// </summary>
public class TxLinearCopyTests
{
    [Fact]
    public void AnOrdinaryFrame_AsksForAllOfItselfToBeCopied_KeepingItsChecksumRequest()
    {
        var needsChecksum = new VirtioNetHeader { Flags = VirtioNetHeaderFlags.NeedsChecksum, ChecksumStart = 34, ChecksumOffset = 16 };

        var plain = PacketRingIo.WithLinearCopy(default, 60);
        var partial = PacketRingIo.WithLinearCopy(needsChecksum, 1514);

        Assert.Equal(60, plain.HeaderLength);
        Assert.True(plain.IsEmpty); // still no offload asked for
        Assert.Equal(needsChecksum with { HeaderLength = 1514 }, partial);
    }

    [Fact]
    public void AGsoSuperFrameOrAJumboFrame_KeepsItsFragments()
    {
        var gso = new VirtioNetHeader
        {
            Flags = VirtioNetHeaderFlags.NeedsChecksum, GsoType = VirtioGsoType.TcpV4, GsoSize = 1448,
            HeaderLength = 66, ChecksumStart = 34, ChecksumOffset = 16,
        };

        Assert.Equal(gso, PacketRingIo.WithLinearCopy(gso, 65_000));
        Assert.Equal(0, PacketRingIo.WithLinearCopy(default, PacketRingIo.MaxLinearCopy + 1).HeaderLength);
    }

    [LabTheory]
    [InlineData(60)]
    [InlineData(1400)]
    public void AFrameCopiedWhole_ArrivesByteIdentical(int payloadLength)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace();
        lab.AddVeth(ns, "p0", ns, "p1");
        using var sender = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p1") { VnetHeader = true, TxFrameCount = 8 }));
        using var receiver = NetnsLab.Run(ns, () => PacketRingIo.Open(new PacketRingOptions("p0") { VnetHeader = true }));
        byte[] frame = Udp("192.0.2.10", 53, "198.51.100.9", 40000, payloadLength, fill: 0xa5);

        Assert.True(sender.TryTransmit(frame));
        sender.FlushTx();
        var got = PortDrain.Until(receiver, fs => fs.Any(f => f.Bytes.SequenceEqual(frame)));

        Assert.Contains(got, f => f.Bytes.SequenceEqual(frame));
    }
}
