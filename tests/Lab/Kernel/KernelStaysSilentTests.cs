using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Kernel;

/// <summary>
/// The router's kernel keeps out of what UserLvs owns (DESIGN.md §4): for traffic to the VIP it sends
/// no TCP RST and no ICMP, whether the port has a virtual service or not. Everything the kernel
/// itself sends leaves through the output hook (or forward, were it routing): a table of our own
/// counts RSTs and ICMP there, while the daemon's frames (AF_PACKET) pass no hook at all.
/// </summary>
public sealed class KernelStaysSilentTests : IDisposable
{
    private const string Watch = """
        table inet labwatch {
          counter kernel_rst { }
          counter kernel_icmp { }
          chain kernel_output {
            type filter hook output priority 0; policy accept;
            tcp flags rst counter name kernel_rst
            meta l4proto icmp counter name kernel_icmp
          }
          chain kernel_forward {
            type filter hook forward priority 0; policy accept;
            tcp flags rst counter name kernel_rst
            meta l4proto icmp counter name kernel_icmp
          }
        }
        """;

    private readonly LvsLab _lab;

    public KernelStaysSilentTests(ITestOutputHelper output) => _lab = LvsLab.Up(output);

    public void Dispose() => _lab.Dispose(); // the watch table goes with the router namespace

    [LabFact]
    public void ForVipTraffic_WithOrWithoutAService_TheKernelSendsNoRstAndNoIcmp()
    {
        _lab.StartDaemon(LabConfig.Text("rr"));
        CommandLine.Check("ip", ["netns", "exec", _lab.RouterNamespace, "nft", "-f", "-"], TimeSpan.FromSeconds(10), Watch);

        // A served port: a whole connection, open to close, answered by a real server.
        Assert.Equal(["s3"], _lab.ServersAnswering(1));
        // A VIP port without a service: no one answers, so the client times out (curl 28) instead of
        // being refused (curl 7, what a kernel RST would cause).
        var unserved = Curl($"http://{LvsLab.Vip}:81/");
        Assert.True(unserved.ExitCode == 28, $"VIP:81 should go unanswered:\n{unserved}");
        // UDP to a VIP port without a service: no ICMP port unreachable either.
        _lab.CheckInNamespace(_lab.ClientNamespace, TimeSpan.FromSeconds(10), "python3", "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('192.0.2.10', 5354)); s.sendto(b'y', ('192.0.2.10', 5354))");
        Thread.Sleep(200); // lets an answer the kernel might send be counted

        Assert.Equal(0, Count("kernel_rst"));
        Assert.Equal(0, Count("kernel_icmp"));

        // The counters do see the kernel: its own address on a closed port is refused with a RST.
        var refused = Curl("http://192.0.2.1:81/");
        Assert.True(refused.ExitCode == 7, $"the router's own closed port should refuse:\n{refused}");
        Assert.True(Count("kernel_rst") >= 1, "the watch table did not count the kernel's RST");
    }

    private CommandResult Curl(string url) =>
        _lab.InNamespace(_lab.ClientNamespace, TimeSpan.FromSeconds(10), "curl", "-sS", "--connect-timeout", "1", "-m", "2", url);

    private long Count(string counter)
    {
        var listing = _lab.CheckInNamespace(_lab.RouterNamespace, TimeSpan.FromSeconds(10), "nft", "list", "counter", "inet", "labwatch", counter).StandardOutput;
        var words = listing.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        int at = Array.IndexOf(words, "packets");
        Assert.True(at >= 0 && at + 1 < words.Length, $"no packet count in:\n{listing}");
        return long.Parse(words[at + 1]);
    }
}
