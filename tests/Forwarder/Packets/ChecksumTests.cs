using System.Buffers.Binary;
using CsCheck;
using PacketDotNet;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>
/// RFC 1071 sums and RFC 1624 updates: the fast sum equals the naive one for every length and
/// alignment, and an incremental update equals a fresh checksum bit for bit.
/// </summary>
public class ChecksumTests
{
    [Fact]
    public void Compute_EqualsTheNaiveSum_ForAnyBytesLengthAndAlignment() =>
        Gen.Select(Gen.Byte.Array[0, 2000], Gen.Int[0, 7]).Sample((bytes, skip) =>
        {
            var data = bytes.AsSpan(Math.Min(skip, bytes.Length));
            Assert.Equal(Frames.Reference(data), Checksum.Compute(data));
        }, iter: 2000);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(9000)]
    public void Compute_OfAllOnes_AndLongRuns_DoesNotLoseCarries(int length)
    {
        var data = new byte[length];
        data.AsSpan().Fill(0xFF);
        Assert.Equal(Frames.Reference(data), Checksum.Compute(data));
    }

    [Fact]
    public void Verify_AHeaderPacketDotNetChecksummed_SumsToNegativeZero()
    {
        var frame = Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(9));
        Assert.True(Checksum.Verify(frame.AsSpan(14, 20)));
        frame[14 + 8]--;   // TTL
        Assert.False(Checksum.Verify(frame.AsSpan(14, 20)));
    }

    [Fact]
    public void Fold_CarriesEndAround_AndOnlyZeroFoldsToZero()
    {
        Assert.Equal(0, Checksum.Fold(0));
        Assert.Equal(1, Checksum.Fold(0x1_0000));
        Assert.Equal(0xFFFF, Checksum.Fold(0xFFFF));
        Assert.Equal(0xFFFF, Checksum.Fold(0x1_FFFE));
        Assert.Equal(0xFFFF, Checksum.Fold(ulong.MaxValue));
        Assert.Equal(0x0003, Checksum.Fold(0x0001_0001_0001UL));
    }

    [Theory]
    [InlineData(IpProtocol.Tcp, 0)]
    [InlineData(IpProtocol.Tcp, 1)]
    [InlineData(IpProtocol.Udp, 0)]
    [InlineData(IpProtocol.Udp, 13)]
    [InlineData(IpProtocol.Udp, 1472)]
    public void ComputeTransport_WithThePseudoHeader_EqualsPacketDotNet(byte protocol, int payloadLength)
    {
        var frame = protocol == IpProtocol.Tcp
            ? Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(payloadLength))
            : Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, Frames.Payload(payloadLength));
        ushort expected = Frames.TransportChecksum(frame);
        var segment = frame.AsSpan(34);
        Assert.True(Checksum.VerifyTransport(IPv4Address.Parse(Frames.Client), IPv4Address.Parse(Frames.Vip), protocol, segment));

        BinaryPrimitives.WriteUInt16BigEndian(segment[Frames.ChecksumOffset(protocol)..], 0);
        Assert.Equal(expected, Checksum.ComputeTransport(IPv4Address.Parse(Frames.Client), IPv4Address.Parse(Frames.Vip), protocol, segment));
    }

    [Fact]
    public void ComputeTransport_ForUdp_SendsAComputedZeroAs0xFFFF()
    {
        // Choose the payload word that makes the sum negative zero: the checksum computes to 0.
        var frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, [0, 0]);
        ushort withZeroPayload = Frames.TransportChecksum(frame);
        frame = Frames.Udp(Frames.Client, 40000, Frames.Vip, 53, [(byte)(withZeroPayload >> 8), (byte)withZeroPayload]);
        var udp = Frames.Parse(frame).Extract<UdpPacket>();
        Assert.Equal(0, udp.CalculateUdpChecksum());   // PacketDotNet does not apply RFC 768's rule

        var datagram = frame.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], 0);
        ushort checksum = Checksum.ComputeTransport(IPv4Address.Parse(Frames.Client), IPv4Address.Parse(Frames.Vip), IpProtocol.Udp, datagram);
        Assert.Equal(0xFFFF, checksum);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], checksum);
        Assert.True(Checksum.VerifyTransport(IPv4Address.Parse(Frames.Client), IPv4Address.Parse(Frames.Vip), IpProtocol.Udp, datagram));
    }

    [Fact]
    public void Update16_EqualsAFreshChecksumOfTheChangedData() =>
        Gen.Select(Gen.Byte.Array[10, 200], Gen.Int[1, 99], Gen.UShort).Sample((bytes, word, value) =>
        {
            int at = 2 * (word % (bytes.Length / 2));
            if (at is 0 or 2) return;            // keep a non-zero word and the checksum field
            bytes[0] = 0x45;                     // never all zeros: the only data whose checksum is 0xFFFF
            bytes[2] = bytes[3] = 0;
            ushort checksum = Frames.Reference(bytes);
            ushort old = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), value);
            Assert.Equal(Frames.Reference(bytes), Checksum.Update16(checksum, old, value));
        }, iter: 5000);

    [Fact]
    public void Update32_EqualsAFreshChecksumOfTheChangedData() =>
        Gen.Select(Gen.Byte.Array[12, 60], Gen.UInt).Sample((bytes, value) =>
        {
            bytes[0] = 0x45;
            bytes[2] = bytes[3] = 0;
            ushort checksum = Frames.Reference(bytes);
            uint old = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4));
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), value);
            Assert.Equal(Frames.Reference(bytes), Checksum.Update32(checksum, old, value));
        }, iter: 5000);

    [Fact]
    public void Update16_WorkedExampleFromRfc1624()
    {
        // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000 with eqn. 3.
        Assert.Equal(0x0000, Checksum.Update16(0xDD2F, 0x5555, 0x3285));
        Assert.Equal(0xFFFF, Checksum.NonZeroForUdp(0));
        Assert.Equal(0x1234, Checksum.NonZeroForUdp(0x1234));
    }

    [Fact]
    public void PseudoHeaderSum_IsAddressesProtocolAndLengthAsWords()
    {
        uint sum = Checksum.PseudoHeaderSum(IPv4Address.Parse("10.0.0.1"), IPv4Address.Parse("192.0.2.10"), IpProtocol.Udp, 0x1234);
        Assert.Equal(0x0A00u + 0x0001 + 0xC000 + 0x020A + 17 + 0x1234, sum);
    }
}
