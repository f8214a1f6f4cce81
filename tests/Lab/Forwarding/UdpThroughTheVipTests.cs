using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Forwarding;

/// <summary>
/// UDP through the VIP: a datagram to 192.0.2.10:5353 reaches a real server's echo service, and the
/// answer comes back rewritten to the VIP's address and port, as a client of the VIP expects.
/// </summary>
public sealed class UdpThroughTheVipTests : IDisposable
{
    // Each datagram from a fresh socket (a new source port, so a new IPVS UDP connection);
    // prints "ADDRESS:PORT|REPLY" per datagram, or "timeout" (bounded: 2 s per datagram).
    private const string Client = """
        import socket, sys
        for i in range(int(sys.argv[2])):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            s.sendto(("%s-%d" % (sys.argv[1], i)).encode(), ("192.0.2.10", 5353))
            try:
                data, peer = s.recvfrom(2048)
                print("%s:%d|%s" % (peer[0], peer[1], data.decode()))
            except socket.timeout:
                print("timeout")
            s.close()
        """;

    private readonly LvsLab _lab;

    public UdpThroughTheVipTests(ITestOutputHelper output) => _lab = LvsLab.Up(output);

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void Datagram_ToVip5353_IsEchoedByARealServer_FromVip5353()
    {
        _lab.StartDaemon(LabConfig.Text("rr"));

        var result = _lab.CheckInNamespace(_lab.ClientNamespace, TimeSpan.FromSeconds(30), "python3", "-c", Client, "hello", "6");
        var replies = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // rr on the echo service: new connections go s3, s2, s1, s3, s2, s1; each reply names its
        // server, carries the payload unchanged, and comes from the VIP, not from 10.0.0.x.
        string[] expected =
        [
            "192.0.2.10:5353|s3 hello-0", "192.0.2.10:5353|s2 hello-1", "192.0.2.10:5353|s1 hello-2",
            "192.0.2.10:5353|s3 hello-3", "192.0.2.10:5353|s2 hello-4", "192.0.2.10:5353|s1 hello-5",
        ];
        Assert.True(expected.SequenceEqual(replies), $"replies:\n{result.StandardOutput}\n{_lab.DaemonLog}");
    }
}
