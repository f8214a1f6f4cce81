using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// UDP through LVS-NAT: any datagram to a UDP virtual service makes (or finds) a connection
/// (IPVS's udp_conn_schedule has no SYN to wait for); the answer from RIP:rport goes back from
/// VIP:vport. A checksum of 0 means "none" and stays 0 both ways (netfilter NAT's rule); a UDP
/// connection is counted inactive, as IPVS counts every non-TCP connection.
/// </summary>
public sealed class NatUdpTests : IDisposable
{
    private const ushort Port = 33333;
    private readonly NatLab _lab = new();
    private readonly RealServer[] _servers;

    public NatUdpTests()
    {
        _servers = _lab.AddService(NatLab.Dns, realPort: NatLab.DnsRealPort);
        _lab.LearnServers();
    }

    public void Dispose() => _lab.Dispose();

    private static byte[] Request(byte[] payload, bool noChecksum = false, ushort port = Port) =>
        Wire.Udp(NatLab.ClientMac, NatLab.PublicMac, NatLab.Client, port, NatLab.Vip, NatLab.DnsPort, payload, noChecksum);

    private static byte[] Answer(int server, byte[] payload, bool noChecksum = false, ushort port = Port) =>
        Wire.Udp(NatLab.ServerMac(server), NatLab.PrivateMac, NatLab.Rip(server), NatLab.DnsRealPort, NatLab.Client, port, payload, noChecksum);

    public static TheoryData<int, bool> Datagrams => new()
    {
        { 0, false }, { 1, false }, { 29, false }, { 512, false }, { 1472, false },
        { 1, true }, { 30, true },
    };

    [Theory]
    [MemberData(nameof(Datagrams))]
    public void ARequestAndItsAnswer_AreTranslatedBothWays(int length, bool noChecksum)
    {
        var question = Wire.Payload(length, seed: 3);
        var answer = Wire.Payload(Math.Min(length + 17, 1472), seed: 4);   // 1472: the most a 1500-byte MTU carries

        var toServer = _lab.FromClient(Request(question, noChecksum)).ToServer();
        var udp = Wire.AssertUdp(toServer, NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.Client, Port, NatLab.Rip(1), NatLab.DnsRealPort);
        Assert.Equal(question, udp.PayloadData);
        Assert.Equal(noChecksum, udp.Checksum == 0);

        var toClient = _lab.FromServer(Answer(1, answer, noChecksum)).ToClient();
        udp = Wire.AssertUdp(toClient, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.DnsPort, NatLab.Client, Port);
        Assert.Equal(answer, udp.PayloadData);
        Assert.Equal(noChecksum, udp.Checksum == 0);

        var connection = _lab.ConnectionOf(Port, service: NatLab.Dns);
        Assert.Equal(("UDP", NatLab.Rip(1), NatLab.DnsRealPort), (connection.StateName, connection.RealAddress, connection.RealPort));
        Assert.Equal((0, 1), (_servers[0].ActiveConnections, _servers[0].InactiveConnections));
    }

    [Fact]
    public void LaterDatagrams_FollowTheConnection_NewClientPortsAreScheduled()
    {
        for (int i = 0; i < 3; i++)
            Wire.AssertUdp(_lab.FromClient(Request(Wire.Payload(10 + i))).ToServer(),
                NatLab.PrivateMac, NatLab.ServerMac(1), NatLab.Client, Port, NatLab.Rip(1), NatLab.DnsRealPort);

        Wire.AssertUdp(_lab.FromClient(Request(Wire.Payload(10), port: Port + 1)).ToServer(),
            NatLab.PrivateMac, NatLab.ServerMac(2), NatLab.Client, Port + 1, NatLab.Rip(2), NatLab.DnsRealPort);
        Assert.Equal(2, _lab.Connections.Count);
    }

    [Fact]
    public void AnAnswerAfterTheUdpTimeout_FindsNoConnection_AndIsLeftToTheKernel()
    {
        _lab.FromClient(Request(Wire.Payload(8))).ToServer();

        _lab.Now += 300_000 - 1;
        _lab.FromServer(Answer(1, Wire.Payload(8))).ToClient();   // the answer refreshes the timeout too
        _lab.Now += 300_000;

        _lab.FromServer(Answer(1, Wire.Payload(8))).AssertSilent(FrameVerdict.LeftToKernel);
    }

    [Fact]
    public void AnAnswerWhoseChecksumComputesToZero_IsSentAsFfff()
    {
        // Find an answer whose translated checksum is 0 (sent as 0xFFFF, since 0 means "none"):
        // vary one payload word until a fresh checksum over VIP:53 -> client is 0 before the UDP rule.
        var payload = new byte[4];
        _lab.FromClient(Request(Wire.Payload(4))).ToServer();
        for (int word = 0; word <= 0xFFFF; word++)
        {
            payload[0] = (byte)(word >> 8);
            payload[1] = (byte)word;
            var expected = Wire.Udp(NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.DnsPort, NatLab.Client, Port, payload);
            int transport = Reference.TransportOffset(expected);
            expected[transport + 6] = expected[transport + 7] = 0;
            if (Reference.Sum(expected.AsSpan(transport), Reference.PseudoHeaderSum(expected)) != 0xFFFF) continue;

            var sent = _lab.FromServer(Answer(1, payload)).ToClient();
            var udp = Wire.AssertUdp(sent, NatLab.PublicMac, NatLab.ClientMac, NatLab.Vip, NatLab.DnsPort, NatLab.Client, Port);
            Assert.Equal(0xFFFF, udp.Checksum);
            return;
        }
        Assert.Fail("no payload word gives a zero checksum");
    }
}
