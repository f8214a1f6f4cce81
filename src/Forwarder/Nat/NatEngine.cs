using System.Buffers.Binary;
using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Packets;
using UserLvs.Forwarder.Sync;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// One worker's LVS-NAT data plane: IPVS's ip_vs_in / ip_vs_out and ip_vs_nat_xmit, in userspace.
///
///   public port, client -> VIP:vport    find the connection (or schedule one on a SYN / any UDP),
///                                       rewrite the destination to RIP:rport, send on the private port
///   private port, RIP:rport -> client   find the connection by its reply key, rewrite the source to
///                                       VIP:vport, send on the public port to the client's next hop
///   ARP                                 answer requests for VIPs (and, with AnswerNatRouterArp, for the
///                                       NAT router address on the private port); learn every sender
///   ICMP errors quoting a connection    translated both ways, so path-MTU discovery works
///   a hop the packet cannot take        TTL run out, or DF and larger than the outgoing link's MTU:
///                                       dropped, and an ICMP error goes back (rate-limited)
///   anything else                       left to the kernel (the router's own traffic, health checks,
///                                       frames of VLAN devices on the link)
///
/// Per frame: no allocation, no lock, no exception; malformed frames are dropped with a counted
/// reason. Frames are rewritten in the receive ring and copied once into the other port's transmit
/// slot; a GSO super-frame or an unfinished checksum keeps its virtio_net_hdr (adjusted for nothing:
/// NAT never changes header lengths) so the kernel finishes it on transmit, or its checksum is
/// completed in software by a backend without vnet support. Never call from two threads.
///
/// Failover (pulse): the engine forwards and answers ARP only while <see cref="Ownership"/> says this
/// router holds the floating addresses (read once per batch); a standby engine still learns
/// neighbours and applies connection records from <see cref="SyncImport"/>, and an active one exports
/// its connections' changes to <see cref="SyncExport"/> (see <see cref="ConnectionSyncExport"/> for when).
///
/// Files: this one (both directions, scheduling, rewrite, transmit, accounting); .Arp; .Icmp; .Router
/// (the kernel's IP-layer checks: VLAN devices, martian sources, TTL and MTU with their ICMP errors);
/// .Sync (export); .Prefetch (a batch's connection lookups started early).
/// </summary>
public sealed partial class NatEngine
{
    private readonly ServiceTable _services;
    private readonly ConnectionTable _connections;
    private readonly PersistenceTemplateTable? _templates;
    private readonly NeighbourTable _neighbours;
    private readonly RouterAddresses _router;
    private readonly IFrameIo[] _publics;
    private readonly VipLinks _vipLinks;
    private readonly IFrameIo _private;
    private readonly int _worker;
    private const long SweepPeriodMilliseconds = 1000;
    private const int MinimumSweep = 64;
    private ServiceTableSnapshot _snapshot;
    private long _lastSweep = long.MinValue / 2;
    private bool _owned = true;
    private IcmpErrorBudget _icmpErrors;

    /// <summary>An engine for a router with one public device.</summary>
    public NatEngine(ServiceTable services, ConnectionTable connections, PersistenceTemplateTable? templates,
        NeighbourTable neighbours, RouterAddresses router, IFrameIo publicPort, IFrameIo privatePort, int worker = 0)
        : this(services, connections, templates, neighbours, router, [publicPort], privatePort, new VipLinks(), worker)
    {
    }

    /// <param name="publicPorts">One port per public link, in the order of <see cref="RouterAddresses.PublicLinks"/>.</param>
    /// <param name="vipLinks">Which link each VIP lives on.</param>
    public NatEngine(ServiceTable services, ConnectionTable connections, PersistenceTemplateTable? templates,
        NeighbourTable neighbours, RouterAddresses router, IReadOnlyList<IFrameIo> publicPorts, IFrameIo privatePort,
        VipLinks vipLinks, int worker = 0)
    {
        if (publicPorts.Count != router.PublicLinks.Count)
            throw new ArgumentException("one public port per public link", nameof(publicPorts));
        _publics = [.. publicPorts];
        _vipLinks = vipLinks;
        _services = services;
        _connections = connections;
        _templates = templates;
        _neighbours = neighbours;
        _router = router;
        _private = privatePort;
        _worker = worker;
        _snapshot = services.Current;
    }

    public ForwarderStats Stats { get; } = new();

    /// <summary>The active/standby switch, shared by every worker of the router. Owned unless pulse says otherwise.</summary>
    public FloatingAddressOwnership Ownership { get; init; } = new();

    /// <summary>
    /// Answer ARP requests for the NAT router address on the private port in userspace (while owning
    /// the floating addresses), as the VIPs are answered on the public side. For an active/backup pair,
    /// where the address must stop being answered the moment its holder dies; off by default, when the
    /// daemon puts the address on the kernel's private device and the kernel answers.
    /// </summary>
    public bool AnswerNatRouterArp { get; init; }

    /// <summary>Where connection changes go for the backup (null: connection sync is off).</summary>
    public ConnectionSyncExport? SyncExport { get; init; }

    /// <summary>Connection records from the active router for this worker's table (null: not a sync backup).</summary>
    public ConnectionSyncImport? SyncImport { get; init; }

    public ConnectionTable Connections => _connections;

    /// <summary>
    /// Starts a batch at <paramref name="now"/>: takes the latest published table and expires what has
    /// expired, before any frame of the batch can meet it.
    /// </summary>
    public void BeginBatch(long now)
    {
        _snapshot = _services.Current;
        _owned = Ownership.IsOwned;
        SyncImport?.Apply(_connections, _snapshot, now);
        // Sweep in proportion to the time that passed, so the whole table is visited about once a
        // second: an expired connection releases its server's count and its persistence template
        // before the next batch, as IPVS's per-connection timers do, at a bounded cost per batch.
        long elapsed = Math.Clamp(now - _lastSweep, 0, SweepPeriodMilliseconds);
        if (elapsed > 0) _lastSweep = now;
        _connections.Sweep(now, (int)Math.Max(MinimumSweep, _connections.SlotCount * elapsed / SweepPeriodMilliseconds));
        _templates?.Sweep(now, (int)Math.Max(MinimumSweep, _templates.Capacity * elapsed / SweepPeriodMilliseconds));
    }

    /// <summary>A frame that arrived on the (first) public port.</summary>
    public FrameVerdict FromPublic(in RxFrame frame, long now) => FromPublic(in frame, 0, now);

    /// <summary>A frame that arrived on public link <paramref name="link"/> (clients, that link's VIPs).</summary>
    public FrameVerdict FromPublic(in RxFrame frame, int link, long now)
    {
        Stats.Received++;
        if (frame.IsTruncated) return Drop(DropReason.TruncatedByBackend);
        var data = frame.Data;
        var reason = EthernetFrame.TryParse(data, out var ethernet);
        if (reason != DropReason.None) return Drop(reason);
        if (IsForVlanDevice(in frame, ethernet)) return ToKernel();
        if (ethernet.EtherType == EtherType.Arp) return ArpFromPublic(ethernet, link, now);
        // As ip_vs_in, only frames addressed to this host are ours (a bridge may flood others to us).
        if (ethernet.EtherType != EtherType.Ipv4 || ethernet.Destination != _router.PublicLinks[link].Mac) return ToKernel();

        var payload = ethernet.Payload;
        // Only traffic to a VIP of this link is ours; read the destination before trusting the rest of the header.
        if (payload.Length < Ipv4Header.MinimumHeaderLength) return ToKernel();
        var vip = new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(payload[Ipv4Header.DestinationOffset..]));
        if (!_snapshot.VirtualAddresses.Contains(vip) || _vipLinks.LinkOf(vip) != link) return ToKernel();
        if (!_owned) return Drop(DropReason.Standby);
        reason = Ipv4Header.TryParse(payload, out var ip);
        if (reason != DropReason.None) return Drop(reason);
        if (ip.IsFragment) return Drop(DropReason.Fragment);

        return ip.Protocol switch
        {
            IpProtocol.Tcp or IpProtocol.Udp => ClientToServer(in frame, ethernet, ip, link, now),
            IpProtocol.Icmp => IcmpFromClient(in frame, ethernet, ip),
            _ => ToKernel(),
        };
    }

    /// <summary>A frame that arrived on the private port (real servers' replies, the router's own traffic).</summary>
    public FrameVerdict FromPrivate(in RxFrame frame, long now)
    {
        Stats.Received++;
        if (frame.IsTruncated) return Drop(DropReason.TruncatedByBackend);
        var data = frame.Data;
        var reason = EthernetFrame.TryParse(data, out var ethernet);
        if (reason != DropReason.None) return Drop(reason);
        if (IsForVlanDevice(in frame, ethernet)) return ToKernel();
        if (ethernet.EtherType == EtherType.Arp) return ArpFromPrivate(ethernet, now);
        if (ethernet.EtherType != EtherType.Ipv4 || ethernet.Destination != _router.PrivateMac) return ToKernel();
        reason = Ipv4Header.TryParse(ethernet.Payload, out var ip);
        if (reason != DropReason.None) return Drop(reason);
        // A fragment has no (or no trustworthy) ports to find a connection by: the router's own
        // fragments go to the kernel, anything it would forward is refused and counted, never misrouted.
        if (ip.IsFragment) return ip.Destination == _router.NatRouterAddress ? ToKernel() : Drop(DropReason.Fragment);

        return ip.Protocol switch
        {
            IpProtocol.Tcp or IpProtocol.Udp => ServerToClient(in frame, ethernet, ip, now),
            IpProtocol.Icmp => IcmpFromServerSide(in frame, ethernet, ip),
            _ => ToKernel(),
        };
    }

    /// <summary>Sends what the batch produced (one syscall per port); the worker calls it after each batch.</summary>
    public void EndBatch(long now)
    {
        foreach (var port in _publics) port.FlushTx();
        _private.FlushTx();
    }

    private FrameVerdict ClientToServer(in RxFrame frame, EthernetFrame ethernet, Ipv4Header ip, int link, long now)
    {
        var reason = ReadPorts(ip, out ushort sourcePort, out ushort destinationPort, out byte flags);
        if (reason != DropReason.None) return Drop(reason);
        bool tcp = ip.Protocol == IpProtocol.Tcp;
        var protocol = tcp ? Protocol.Tcp : Protocol.Udp;
        // The connection first, as ip_vs_in does: an established connection goes on even when its
        // service was just deleted; only a new one needs the service.
        int index = _connections.LookupInbound(protocol, ip.Source, sourcePort, ip.Destination, destinationPort, flags, now);
        bool created = index == ConnectionTable.NotFound;
        if (created)
        {
            var key = new VirtualServiceKey(protocol, ip.Destination, destinationPort);
            if (!_snapshot.TryGetService(in key, out var service)) return ToKernel();
            // As IPVS's tcp_conn_schedule, TCP is scheduled on a SYN without RST ("no !th->ack check to
            // allow scheduling on SYN+ACK for Active FTP"); anything else is not a connection of ours.
            if (tcp && (flags & (TcpStateMachine.Syn | TcpStateMachine.Rst)) != TcpStateMachine.Syn)
                return Drop(DropReason.NoConnection);
            // Checked where a connection would be made: the packets of one share its source, so the
            // established path need not look again.
            if (IsMartianSource(ip.Source, link)) return Drop(DropReason.MartianSource);
            var scheduled = Schedule(service, ip.Source, sourcePort, now, out index);
            if (scheduled != DropReason.None) return Drop(scheduled);
            if (_router.PublicLinks[link].IsOnLink(ip.Source)) _neighbours.LearnIfUnknown(ip.Source, ethernet.Source, now);
        }
        else if (_connections[index].IsSynced)
        {
            // The first packet of a connection learned from the old active router: this router never
            // saw the client's SYN, so learn its MAC now, as scheduling would have.
            if (_router.PublicLinks[link].IsOnLink(ip.Source)) _neighbours.LearnIfUnknown(ip.Source, ethernet.Source, now);
            _connections.ClearSynced(index);
        }
        var before = _connections[index].State;
        _connections.Update(index, ConnectionDirection.Input, flags, now);
        if (SyncExport is not null) Export(index, created, before, now);
        ref readonly var connection = ref _connections[index];

        if (!_neighbours.TryGet(connection.RealAddress, out var serverMac))
            return Unresolved(_private, _router.PrivateMac, _router.NatRouterAddress, connection.RealAddress, now);
        // Errors come from the VIP, as the kernel's icmp_send answers for a local destination.
        var hop = CheckHop(in frame, ethernet, ip, _router.PrivateMtu, _publics[link], _router.PublicLinks[link].Mac, ip.Destination, now);
        if (hop != DropReason.None) return Drop(hop);

        RewritePorts(ip, destination: true, connection.RealAddress, connection.RealPort, ChecksumOf(in frame));
        var sent = Send(_private, in frame, ethernet, ip, _router.PrivateMac, serverMac);
        if (sent != DropReason.None) return Drop(sent);
        Account(in connection, ip.TotalLength, inbound: true);
        Stats.ForwardedToServers++;
        return FrameVerdict.Forwarded;
    }

    private FrameVerdict ServerToClient(in RxFrame frame, EthernetFrame ethernet, Ipv4Header ip, long now)
    {
        var reason = ReadPorts(ip, out ushort sourcePort, out ushort destinationPort, out byte flags);
        if (reason != DropReason.None) return Drop(reason);
        var protocol = ip.Protocol == IpProtocol.Tcp ? Protocol.Tcp : Protocol.Udp;
        int index = _connections.LookupOutbound(protocol, ip.Source, sourcePort, ip.Destination, destinationPort, now);
        if (index == ConnectionTable.NotFound) return ToKernel(); // the router's own traffic
        if (!_owned) return Drop(DropReason.Standby);
        var before = _connections[index].State;
        _connections.Update(index, ConnectionDirection.Output, flags, now);
        if (SyncExport is not null) Export(index, created: false, before, now);
        ref readonly var connection = ref _connections[index];

        int link = _vipLinks.LinkOf(connection.VirtualAddress);
        var publicLink = _router.PublicLinks[link];
        var nextHop = publicLink.NextHopTo(connection.ClientAddress);
        if (!_neighbours.TryGet(nextHop, out var nextHopMac))
            return Unresolved(_publics[link], publicLink.Mac, publicLink.Address, nextHop, now);
        // Errors come from the real servers' gateway, as ip_forward's would (before IPVS rewrites the reply).
        var hop = CheckHop(in frame, ethernet, ip, publicLink.Mtu, _private, _router.PrivateMac, _router.NatRouterAddress, now);
        if (hop != DropReason.None) return Drop(hop);

        RewritePorts(ip, destination: false, connection.VirtualAddress, connection.VirtualPort, ChecksumOf(in frame));
        var sent = Send(_publics[link], in frame, ethernet, ip, publicLink.Mac, nextHopMac);
        if (sent != DropReason.None) return Drop(sent);
        Account(in connection, ip.TotalLength, inbound: false);
        Stats.ForwardedToClients++;
        return FrameVerdict.Forwarded;
    }

    /// <summary>The ports (and TCP flags) of a TCP or UDP packet, or why its transport header is unusable.</summary>
    private static DropReason ReadPorts(Ipv4Header ip, out ushort sourcePort, out ushort destinationPort, out byte tcpFlags)
    {
        tcpFlags = 0;
        if (ip.Protocol == IpProtocol.Tcp)
        {
            var reason = TcpHeader.TryParse(ip.Payload, out var tcp);
            (sourcePort, destinationPort) = reason == DropReason.None ? (tcp.SourcePort, tcp.DestinationPort) : ((ushort)0, (ushort)0);
            if (reason == DropReason.None) tcpFlags = (byte)tcp.Flags;
            return reason;
        }
        var result = UdpHeader.TryParse(ip.Payload, out var udp);
        (sourcePort, destinationPort) = result == DropReason.None ? (udp.SourcePort, udp.DestinationPort) : ((ushort)0, (ushort)0);
        return result;
    }

    /// <summary>The NAT itself: the destination (towards a real server) or the source (towards a client) becomes address:port.</summary>
    private static void RewritePorts(Ipv4Header ip, bool destination, IPv4Address address, ushort port, ChecksumStatus status)
    {
        if (ip.Protocol == IpProtocol.Tcp)
        {
            TcpHeader.TryParse(ip.Payload, out var tcp);
            if (destination) Ipv4Rewrite.SetDestination(ip, tcp, address, port, status);
            else Ipv4Rewrite.SetSource(ip, tcp, address, port, status);
        }
        else
        {
            UdpHeader.TryParse(ip.Payload, out var udp);
            if (destination) Ipv4Rewrite.SetDestination(ip, udp, address, port, status);
            else Ipv4Rewrite.SetSource(ip, udp, address, port, status);
        }
    }

    /// <summary>Routes the rewritten packet one hop: TTL down, MACs of this hop, out of <paramref name="port"/>.</summary>
    private DropReason Send(IFrameIo port, in RxFrame frame, EthernetFrame ethernet, Ipv4Header ip, MacAddress source, MacAddress destination)
    {
        var ttl = Ipv4Rewrite.DecrementTtl(ip);
        if (ttl != DropReason.None) return ttl;
        ethernet.SetSource(source);
        ethernet.SetDestination(destination);
        bool transport = ip.Protocol is IpProtocol.Tcp or IpProtocol.Udp;
        return Transmit(port, in frame, ethernet.HeaderLength + ip.TotalLength,
            transport ? ethernet.HeaderLength + ip.HeaderLength : 0, ip.Protocol == IpProtocol.Tcp);
    }

    /// <summary>IPVS's per-server and per-service statistics for one forwarded packet.</summary>
    private void Account(in ConnectionEntry connection, int bytes, bool inbound)
    {
        ref var server = ref connection.Server.Counters.Traffic.For(_worker);
        if (inbound) { server.PacketsIn++; server.BytesIn += bytes; }
        else { server.PacketsOut++; server.BytesOut += bytes; }
        if (!_snapshot.TryGetService(connection.Service, out var service)) return;
        ref var total = ref service.Traffic.For(_worker);
        if (inbound) { total.PacketsIn++; total.BytesIn += bytes; }
        else { total.PacketsOut++; total.BytesOut += bytes; }
    }

    /// <summary>
    /// A new connection: the persistence template's server if the service is persistent and the
    /// client's network has one, otherwise the scheduler's pick (ip_vs_schedule / ip_vs_sched_persist).
    /// </summary>
    private DropReason Schedule(VirtualService service, IPv4Address client, ushort clientPort, long now, out int index)
    {
        index = ConnectionTable.NotFound;
        int template = PersistenceTemplateTable.NoTemplate;
        RealServer? server = null;
        if (_templates is not null && service.Persistence.IsEnabled)
            server = _templates.Find(service, client, now, out template);
        if (server is null)
        {
            var request = new SchedulingRequest(client, clientPort, service.Key.Address, service.Key.Port);
            server = service.Scheduler.Pick(in request);
            if (server is null) return DropReason.NoRealServer;
            if (_templates is not null && service.Persistence.IsEnabled)
            {
                server = _templates.GetOrAdd(service, client, server, now, out template);
                if (server is null) return DropReason.ConnectionTableFull;
            }
        }
        var added = _connections.TryAdd(service.Key, client, clientPort, server, now, out index, template);
        if (added == ConnectionAddResult.Full) return DropReason.ConnectionTableFull;
        server.Counters.Traffic.For(_worker).Connections++;
        service.Traffic.For(_worker).Connections++;
        return DropReason.None;
    }

    /// <summary>
    /// Copies the rewritten frame into the port's transmit slot. An unfinished checksum travels on as
    /// NEEDS_CSUM (with the offsets the frame's own vnet header gave, or the TCP/UDP field's place),
    /// and a GSO super-frame keeps its segmentation request.
    /// </summary>
    private DropReason Transmit(IFrameIo port, in RxFrame frame, int length, int transportOffset, bool tcp)
    {
        var tx = port.AcquireTx();
        if (tx.IsEmpty)
        {
            port.FlushTx();
            tx = port.AcquireTx();
            if (tx.IsEmpty) return DropReason.TransmitRingFull;
        }
        if (length > tx.Length) return DropReason.FrameTooLargeForTransmit;
        frame.Data[..length].CopyTo(tx);
        bool queued;
        if ((frame.Flags & RxFrameFlags.HasVnetHeader) != 0 && !frame.Vnet.IsEmpty)
        {
            queued = port.CommitTx(length, frame.Vnet);
        }
        else if (frame.ChecksumNotReady && transportOffset > 0)
        {
            var vnet = new VirtioNetHeader
            {
                Flags = VirtioNetHeaderFlags.NeedsChecksum,
                ChecksumStart = (ushort)transportOffset,
                ChecksumOffset = (ushort)(tcp ? TcpHeader.ChecksumOffset : UdpHeader.ChecksumOffset),
            };
            queued = port.CommitTx(length, vnet);
        }
        else
        {
            queued = port.CommitTx(length);
        }
        return queued ? DropReason.None : DropReason.TransmitRefused;
    }

    private static ChecksumStatus ChecksumOf(in RxFrame frame) =>
        frame.ChecksumNotReady || ((frame.Flags & RxFrameFlags.HasVnetHeader) != 0 && frame.Vnet.NeedsChecksum)
            ? ChecksumStatus.Partial
            : ChecksumStatus.Complete;

    private FrameVerdict ToKernel()
    {
        Stats.LeftToKernel++;
        return FrameVerdict.LeftToKernel;
    }

    private FrameVerdict Drop(DropReason reason)
    {
        Stats.CountDrop(reason);
        return FrameVerdict.Dropped;
    }
}
