// userlvsd: the UserLvs router daemon. Loads lvs.cf, forwards LVS-NAT traffic in userspace, reloads
// on SIGHUP, stops cleanly (kernel settings restored) on SIGTERM/SIGINT.
using System.CommandLine;
using UserLvs.Daemon;
using UserLvs.Forwarder.IO;

var config = new Option<FileInfo>("--config") { Description = "the Piranha lvs.cf to run", Required = true };
var check = new Option<bool>("--check") { Description = "validate the config, print every error as FILE:LINE: reason, exit 0 or 1" };
var workers = new Option<int>("--workers") { Description = "forwarding threads (PACKET_FANOUT members per device)", DefaultValueFactory = _ => 1 };
var connections = new Option<int>("--connections") { Description = "connections tracked per worker (a power of two)", DefaultValueFactory = _ => 1 << 18 };
var io = new Option<string>("--io")
{
    Description = "packet I/O: ring (AF_PACKET, TPACKET_V2 RX, the default), ring-v3 (TPACKET_V3 RX blocks), pcap (libpcap, one worker)",
    DefaultValueFactory = _ => "ring",
};
io.AcceptOnlyFromAmong("ring", "ring-v3", "pcap");
var socket = new Option<string>("--socket")
{
    Description = "the control socket userlvs-adm talks to (also USERLVS_SOCKET)",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("USERLVS_SOCKET") ?? "/run/userlvs/userlvsd.sock",
};
var forceActive = new Option<bool>("--force-active")
{
    Description = "with a backup router (heartbeat = 1): claim the active role and keep it when the peer returns (pulse's --forceactive)",
};
var metrics = new Option<string?>("--metrics") { Description = "serve Prometheus metrics on ADDR:PORT (e.g. 127.0.0.1:9100)" };
metrics.Validators.Add(r =>
{
    if (r.GetValueOrDefault<string?>() is { } text && !UserLvs.Daemon.Metrics.MetricsAddress.TryParse(text, out _, out var error))
        r.AddError(error!);
});
var root = new RootCommand("userlvsd: Linux Virtual Server (LVS-NAT) router daemon in userspace")
{
    config, check, socket, metrics, workers, connections, io, forceActive,
};
root.SetAction(result =>
{
    if (result.GetValue(io) == "pcap" && result.GetValue(workers) > 1)
    {
        // (checked here, not in a validator: a validator would also run on a --io value already refused)
        Console.Error.WriteLine("--io pcap runs one worker: libpcap has no PACKET_FANOUT to share a device between workers (use --workers 1, or --io ring)");
        return 1;
    }
    var backend = result.GetValue(io) switch { "pcap" => PortBackend.Pcap, "ring-v3" => PortBackend.RingV3, _ => PortBackend.Ring };
    var options = new DaemonOptions(result.GetValue(config)!.FullName, result.GetValue(socket)!, result.GetValue(metrics), result.GetValue(workers), result.GetValue(connections), backend)
    {
        ForceActive = result.GetValue(forceActive),
    };
    return result.GetValue(check) ? Daemon.Check(options.ConfigPath) : Daemon.Run(options);
});
return root.Parse(args).Invoke();
