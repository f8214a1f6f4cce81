using Microsoft.Extensions.Logging;
using UserLvs.Daemon.Config;
using UserLvs.Daemon.Kernel;
using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Packets;
using UserLvs.Forwarder.Sync;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Hosting;

/// <summary>
/// Runs the LVS-NAT data plane for one lvs.cf: the service table, one NAT worker per fanout member on
/// the public and private devices, the neighbour table (real servers resolved by ARP before their
/// first connection and every few seconds after), and the kernel guard. Start, reload, stop.
///
/// With a router pair (lvs.cf heartbeat = 1 and a backup) the VIPs and the NAT router address float:
/// the host starts standby (<see cref="Ownership"/> released) and pulse acquires it on becoming active;
/// the workers answer ARP for the NAT router address themselves instead of the kernel holding it, and
/// the real servers are asked for their MACs from this router's own private address, so a standby
/// router never claims the gateway address. With syncdaemon = 1 every worker exports its connections'
/// changes (<see cref="SyncExports"/>) and takes in the peer's (<see cref="SyncImports"/>).
/// </summary>
public sealed class ForwarderHost : IDisposable
{
    private static readonly TimeSpan ResolveInterval = TimeSpan.FromSeconds(2);
    private readonly ILogger _log;
    private readonly int _workerCount;
    private readonly int _connectionsPerWorker;
    private readonly List<NatWorker> _workers = [];
    private readonly List<IFrameIo> _ports = [];
    private readonly NeighbourTable _neighbours = new();
    private readonly IpvsTimeouts _timeouts = new();
    private readonly PersistenceTemplateTable _templates = new(1 << 16);
    private KernelGuard? _guard;
    private LinkLayerSender? _arpSender;
    private Timer? _resolver;
    private readonly VipLinks _vipLinks = new();
    private RouterAddresses? _router;
    private IReadOnlyList<string> _publicDevices = [];
    private string? _privateDevice;
    private readonly List<ConnectionSyncExport> _syncExports = [];
    private readonly List<ConnectionSyncImport> _syncImports = [];
    private IPv4Address _arpSenderAddress;

    public ForwarderHost(ILogger log, int workers, int connectionsPerWorker)
    {
        _log = log;
        _workerCount = workers;
        _connectionsPerWorker = connectionsPerWorker;
    }

    /// <summary>The packet I/O of every port (userlvsd --io): AF_PACKET rings with a TPACKET_V2 RX ring
    /// unless told otherwise.</summary>
    public PortBackend Io { get; init; } = PortBackend.Ring;

    public ServiceTable Table { get; } = new();

    /// <summary>Whether this router holds the floating addresses; always owned without a router pair.</summary>
    public FloatingAddressOwnership Ownership { get; } = new();

    /// <summary>Each worker's connection-sync export queue, in worker order (empty unless syncdaemon = 1 in a pair).</summary>
    public IReadOnlyList<ConnectionSyncExport> SyncExports => _syncExports;

    /// <summary>Each worker's connection-sync import queue, in worker order (empty unless syncdaemon = 1 in a pair).</summary>
    public IReadOnlyList<ConnectionSyncImport> SyncImports => _syncImports;

    /// <summary>The router's MACs and addresses, once started.</summary>
    public RouterAddresses Router => _router ?? throw new InvalidOperationException("the forwarder has not started");

    /// <summary>Which public link each VIP is on.</summary>
    public VipLinks VipLinks => _vipLinks;

    public IReadOnlyList<string> PublicDevices => _publicDevices;

    public string PrivateDevice => _privateDevice ?? throw new InvalidOperationException("the forwarder has not started");

    public IpvsTimeouts Timeouts => _timeouts;

    public IReadOnlyList<NatWorker> Workers => _workers;

    public NeighbourTable Neighbours => _neighbours;

    /// <summary>The persistence templates every worker shares.</summary>
    public PersistenceTemplateTable Templates => _templates;

    /// <summary>Brings the data plane up for <paramref name="config"/>; throws with a clear message when the host cannot.</summary>
    public void Start(LvsConfig config)
    {
        var publicDevices = config.PublicInterfaces;
        if (publicDevices.Count == 0)
            throw new InvalidOperationException("no virtual server names a public device (address = VIP DEVICE)");
        string privateDevice = config.PrivateInterface
            ?? throw new InvalidOperationException("nat_router must name the private device (nat_router = ADDRESS DEVICE)");
        var natRouter = config.NatRouter!.Value.Address;

        _publicDevices = publicDevices;
        var links = publicDevices.Select(device =>
        {
            var (address, mask) = InterfaceAddresses.FirstIPv4(device)
                ?? throw new InvalidOperationException($"the public device {device} has no IPv4 address");
            return new PublicLink(ToMac(NetworkInterfaceInfo.GetMacAddress(device)), address, address.Mask(mask), mask,
                InterfaceAddresses.Gateway(device), NetworkInterfaceInfo.GetMtu(device));
        }).ToList();
        _privateDevice = privateDevice;
        _router = new RouterAddresses(links, ToMac(NetworkInterfaceInfo.GetMacAddress(privateDevice)), natRouter,
            NetworkInterfaceInfo.GetMtu(privateDevice));
        SetVipLinks(config);

        ApplyTimeouts(config);
        Table.Replace(config.ToDesiredTable());

        bool pair = config.HasRouterPair;
        bool sync = pair && config.SyncDaemon;
        if (pair)
        {
            // The kernel answers ARP for its own addresses, and keeps doing so after the daemon dies.
            if (InterfaceAddresses.Has(privateDevice, natRouter))
                throw new InvalidOperationException($"the NAT router address {natRouter} is configured on {privateDevice}: with a backup router it floats " +
                    $"between the routers and must not be a kernel address (remove it: ip addr del {natRouter} dev {privateDevice})");
            foreach (var vip in Table.Current.VirtualAddresses)
                foreach (var device in publicDevices)
                    if (InterfaceAddresses.Has(device, vip))
                        throw new InvalidOperationException($"the VIP {vip} is configured on {device}: with a backup router it floats and must not be a kernel address");
            Ownership.Release();
            _arpSenderAddress = InterfaceAddresses.FirstIPv4(privateDevice)?.Address
                ?? throw new InvalidOperationException($"the private device {privateDevice} has no address of its own (primary_private/backup_private)");
        }
        else
        {
            _arpSenderAddress = natRouter;
        }

        _guard = new KernelGuard(publicDevices, privateDevice, _log);
        _guard.Install(Table.Current);
        if (!pair) _guard.EnsureNatRouterAddress(natRouter, config.NatNetmask);
        Table.Published += snapshot =>
        {
            try { _guard.Update(snapshot); }
            catch (Exception e) { _log.LogError("updating the kernel guard: {Error}", e.Message); }
            ResolveRealServers();
        };

        // One fanout group per device; every worker joins each group in the same order, so worker i
        // owns the same clients on every device (the program hashes the client endpoint).
        ushort group = (ushort)((Environment.ProcessId * 16) & 0xfff0);
        for (int i = 0; i < _workerCount; i++)
        {
            var publicPorts = publicDevices.Select((device, link) => OpenPort(device, (ushort)(group + 1 + link), ClientSide.Source)).ToList();
            var privatePort = OpenPort(privateDevice, group, ClientSide.Destination);
            var connections = new ConnectionTable(_connectionsPerWorker, _timeouts, _templates);
            var export = sync ? new ConnectionSyncExport() : null;
            var import = sync ? new ConnectionSyncImport() : null;
            if (export is not null) _syncExports.Add(export);
            if (import is not null) _syncImports.Add(import);
            var engine = new NatEngine(Table, connections, _templates, _neighbours, _router, publicPorts, privatePort, _vipLinks, i)
            {
                Ownership = Ownership,
                AnswerNatRouterArp = pair,
                SyncExport = export,
                SyncImport = import,
            };
            _workers.Add(new NatWorker(engine, publicPorts, privatePort, $"userlvs-nat-{i}"));
        }
        foreach (var worker in _workers) worker.Start();

        _arpSender = new LinkLayerSender(privateDevice);
        ResolveRealServers();
        WaitForRealServers(TimeSpan.FromSeconds(2));
        _resolver = new Timer(_ => ResolveRealServers(), null, ResolveInterval, ResolveInterval);
        _log.LogInformation("forwarding: public {Public}, private {Private} ({PrivateMac}), {Workers} worker(s), {Services} virtual service(s)",
            string.Join(", ", publicDevices.Zip(links, (d, l) => $"{d} ({l.Mac})")), privateDevice, _router.PrivateMac, _workerCount, Table.Current.Count);
    }

    /// <summary>A SIGHUP with a valid config: the table changes as a diff, connections of untouched servers go on.</summary>
    public void Reload(LvsConfig config)
    {
        var missing = config.PublicInterfaces.Except(_publicDevices).ToList();
        if (missing.Count > 0 || config.PrivateInterface != _privateDevice)
            throw new InvalidOperationException(missing.Count > 0
                ? $"the new config puts VIPs on {string.Join(", ", missing)}, which this daemon does not forward on; restart it to add a device"
                : "the new config names another private device; restart the daemon to change it");
        ApplyTimeouts(config);
        SetVipLinks(config);
        Table.Replace(config.ToDesiredTable());
    }

    private void SetVipLinks(LvsConfig config)
    {
        var links = new Dictionary<IPv4Address, int>();
        foreach (var virtualServer in config.VirtualServers)
            links[virtualServer.Address.Address] = _publicDevices.ToList().IndexOf(virtualServer.Address.BaseDevice);
        _vipLinks.Set(links);
    }

    /// <summary>A worker that died of a bug, if any (the daemon logs it and stops).</summary>
    public Exception? WorkerFailure => _workers.Select(w => w.Failure).FirstOrDefault(f => f is not null);

    public ForwarderTotals Totals()
    {
        var totals = new ForwarderTotals();
        foreach (var worker in _workers) totals.Add(worker.Engine.Stats);
        return totals;
    }

    private void ApplyTimeouts(LvsConfig config) =>
        _timeouts.Set((int)config.TcpTimeout, (int)config.TcpFinTimeout, (int)config.UdpTimeout);

    private IFrameIo OpenPort(string device, ushort group, ClientSide side)
    {
        IFrameIo port;
        if (Io == PortBackend.Pcap)
        {
            // libpcap has no PACKET_FANOUT: with two workers both would see every frame.
            if (_workerCount > 1)
                throw new InvalidOperationException($"--io pcap cannot share a device between {_workerCount} workers (libpcap has no PACKET_FANOUT); use --workers 1, or --io ring");
            port = PcapFrameIo.OpenLive(device);
        }
        else
        {
            port = PacketRingIo.Open(new PacketRingOptions(device)
            {
                // GRO/GSO super-frames and unfinished checksums cross intact; the kernel finishes them on transmit.
                VnetHeader = true,
                // V2 hands each frame over as it lands: a lone request is forwarded at once instead of
                // waiting up to a V3 block's 1 ms timer (measured: the keep-alive round trip).
                RxRing = Io == PortBackend.RingV3 ? RxRingVersion.V3 : RxRingVersion.V2,
                Fanout = _workerCount > 1 ? new FanoutGroup(group, FanoutProgram.Build(side, _workerCount)) : null,
            });
        }
        _ports.Add(port);
        return port;
    }

    /// <summary>Asks every real server we have no MAC for, so the first connection need not wait for ARP.</summary>
    private void ResolveRealServers()
    {
        var sender = _arpSender;
        var router = _router;
        if (sender is null || router is null) return;
        Span<byte> frame = stackalloc byte[ArpPacket.FrameLength];
        foreach (var address in Table.Current.Services.SelectMany(s => s.RealServers).Select(r => r.Address).Distinct())
        {
            if (_neighbours.TryGet(address, out _)) continue;
            ArpPacket.WriteRequest(frame, router.PrivateMac, _arpSenderAddress, address);
            try { sender.Send(frame); }
            catch (Exception e) { _log.LogWarning("ARP request for {Address}: {Error}", address, e.Message); }
        }
    }

    private void WaitForRealServers(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var servers = Table.Current.Services.SelectMany(s => s.RealServers).Select(r => r.Address).Distinct().ToList();
        while (DateTime.UtcNow < deadline && servers.Any(a => !_neighbours.TryGet(a, out _)))
            Thread.Sleep(20);
        foreach (var missing in servers.Where(a => !_neighbours.TryGet(a, out _)))
            _log.LogWarning("real server {Address} does not answer ARP yet; its first packets wait for it", missing);
    }

    private static MacAddress ToMac(System.Net.NetworkInformation.PhysicalAddress address)
    {
        var bytes = address.GetAddressBytes();
        return bytes.Length == 6 ? MacAddress.Read(bytes) : MacAddress.Zero;
    }

    public void Dispose()
    {
        _resolver?.Dispose();
        foreach (var worker in _workers) worker.Stop(TimeSpan.FromSeconds(2));
        foreach (var worker in _workers) worker.Dispose();
        foreach (var port in _ports) port.Dispose();
        _arpSender?.Dispose();
        _guard?.Dispose();
    }
}

/// <summary>Every worker's frame accounting summed (for logs, metrics and status).</summary>
public sealed class ForwarderTotals
{
    public long Received, ForwardedToServers, ForwardedToClients, Answered, LeftToKernel, Dropped;

    /// <summary>ICMP errors the workers originated, and those the rate limit (or a full ring) held back.</summary>
    public long IcmpErrorsSent, IcmpErrorsSuppressed;

    public Dictionary<string, long> Drops { get; } = [];

    internal void Add(ForwarderStats stats)
    {
        Received += stats.Received;
        ForwardedToServers += stats.ForwardedToServers;
        ForwardedToClients += stats.ForwardedToClients;
        Answered += stats.Answered;
        LeftToKernel += stats.LeftToKernel;
        Dropped += stats.DroppedTotal;
        IcmpErrorsSent += stats.IcmpErrorsSent;
        IcmpErrorsSuppressed += stats.IcmpErrorsSuppressed;
        foreach (var reason in Enum.GetValues<UserLvs.Forwarder.DropReason>())
        {
            long n = stats.Dropped(reason);
            if (n > 0) Drops[reason.ToString()] = Drops.GetValueOrDefault(reason.ToString()) + n;
        }
    }
}
