// labtraffic: traffic for the lab performance run (lab/bench.sh). "udp-flood" sends 64-byte UDP
// frames from an AF_PACKET TX ring as fast as the path takes them (or at a given rate) and prints
// one line of results; the sink is the real servers' nftables counters, read by the script.
using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using UserLvs.LabTraffic;

var device = new Option<string>("--device") { Description = "the interface to send on", DefaultValueFactory = _ => "eth0" };
var destination = new Option<string>("--dst") { Description = "destination IPv4 address (the VIP)", Required = true };
var port = new Option<int>("--port") { Description = "destination UDP port", DefaultValueFactory = _ => 5353 };
var source = new Option<string?>("--src") { Description = "source IPv4 address (default: the device's first)" };
var destinationMac = new Option<string?>("--dst-mac") { Description = "next hop's MAC (default: resolved by ARP)" };
var portBase = new Option<int>("--src-port-base") { Description = "first source port", DefaultValueFactory = _ => 10000 };
var ports = new Option<int>("--src-ports") { Description = "how many source ports (flows)", DefaultValueFactory = _ => 4096 };
var size = new Option<int>("--frame-size") { Description = "Ethernet frame length without FCS (>= 42)", DefaultValueFactory = _ => 64 };
var threads = new Option<int>("--threads") { Description = "sending threads, one TX ring each", DefaultValueFactory = _ => 1 };
var seconds = new Option<double>("--seconds") { Description = "how long to send", DefaultValueFactory = _ => 10 };
var rate = new Option<long>("--rate") { Description = "offered frames per second in total (0: as fast as possible)", DefaultValueFactory = _ => 0 };
var batch = new Option<int>("--batch") { Description = "frames per sendto(2)", DefaultValueFactory = _ => 256 };
var ring = new Option<int>("--ring-frames") { Description = "TX ring slots per thread", DefaultValueFactory = _ => 4096 };

var flood = new Command("udp-flood", "send UDP frames through the lab's VIP and report frames per second")
{
    device, destination, port, source, destinationMac, portBase, ports, size, threads, seconds, rate, batch, ring,
};
flood.SetAction(result =>
{
    string dev = result.GetValue(device)!;
    var dst = IPAddress.Parse(result.GetValue(destination)!);
    var src = result.GetValue(source) is { } s ? IPAddress.Parse(s) : FirstIPv4(dev);
    int frameLength = result.GetValue(size);
    if (frameLength < UdpFrame.HeaderLength || frameLength > 1514) throw new ArgumentException($"--frame-size must be {UdpFrame.HeaderLength}..1514");
    int portCount = result.GetValue(ports);
    if (portCount < 1 || result.GetValue(portBase) + portCount > 65536) throw new ArgumentException("--src-port-base + --src-ports must stay within 65536");
    int threadCount = result.GetValue(threads);
    if (threadCount < 1) throw new ArgumentException("--threads must be at least 1");
    var dstMac = result.GetValue(destinationMac) is { } m ? ParseMac(m) : ResolveMac(dst, result.GetValue(port));
    var options = new UdpFloodOptions(dev, ParseMac(File.ReadAllText($"/sys/class/net/{dev}/address").Trim()), dstMac,
        src, dst, (ushort)result.GetValue(port), (ushort)result.GetValue(portBase), portCount, frameLength,
        threadCount, result.GetValue(seconds), result.GetValue(rate), Math.Max(1, result.GetValue(batch)), result.GetValue(ring));
    var r = UdpFlood.Run(options);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"labtraffic udp-flood: sent={r.Sent} seconds={r.Seconds:F3} pps={r.PacketsPerSecond:F0} threads={threadCount} frame={frameLength} flows={portCount} pushbacks={r.PushBacks} cpu_user={r.UserCpu.TotalSeconds:F2} cpu_sys={r.SystemCpu.TotalSeconds:F2}"));
    return 0;
});

var root = new RootCommand("labtraffic: traffic generator for the UserLvs lab performance run") { flood };
return root.Parse(args).Invoke();

static IPAddress FirstIPv4(string device) =>
    NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device)?.GetIPProperties().UnicastAddresses
        .Select(a => a.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
    ?? throw new InvalidOperationException($"{device} has no IPv4 address; pass --src");

static byte[] ParseMac(string text) => PhysicalAddress.Parse(text.Replace(':', '-').ToUpperInvariant()).GetAddressBytes();

// One ordinary datagram makes the kernel ARP for the destination; then read its neighbour cache
// (/proc/net/arp is per network namespace). Bounded: 40 polls of 50 ms.
static byte[] ResolveMac(IPAddress destination, int port)
{
    using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        socket.SendTo("arp"u8.ToArray(), new IPEndPoint(destination, port));
    for (int i = 0; i < 40; i++)
    {
        foreach (var line in File.ReadLines("/proc/net/arp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 4 && f[0] == destination.ToString() && f[3] != "00:00:00:00:00:00") return ParseMac(f[3]);
        }
        Thread.Sleep(50);
    }
    throw new InvalidOperationException($"no ARP answer for {destination}; pass --dst-mac");
}
