using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Packets;
using UserLvs.Forwarder.Sync;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// One LVS-NAT router on the in-memory backend, wired as the daemon wires a worker:
///
///   clients 192.0.2.0/24 ── "pub" 02:00:00:00:01:01 192.0.2.1 (VIP 192.0.2.10, gateway .254)
///   "priv" 02:00:00:00:02:01 NAT router 10.0.0.1 ── real servers 10.0.0.11-13 (MACs ..:02:0b-0d)
///
/// <see cref="FromClient"/> and <see cref="FromServer"/> do what <see cref="NatWorker"/> does for a
/// batch of one frame (enqueue with the kernel's flags, Receive, BeginBatch, FromPublic/FromPrivate,
/// EndBatch, release) and return the verdict, the drop reason whose counter moved, and every frame
/// each port transmitted. Each call also holds the engine to its accounting: one frame in, exactly
/// one outcome counted, a drop counter moved only for a drop.
/// </summary>
internal sealed class NatLab : IDisposable
{
    public static readonly MacAddress PublicMac = MacAddress.Parse("02:00:00:00:01:01");
    public static readonly IPv4Address PublicAddress = IPv4Address.Parse("192.0.2.1");
    public static readonly MacAddress PrivateMac = MacAddress.Parse("02:00:00:00:02:01");
    public static readonly IPv4Address NatRouter = IPv4Address.Parse("10.0.0.1");
    public static readonly IPv4Address Vip = IPv4Address.Parse("192.0.2.10");
    public static readonly IPv4Address Client = IPv4Address.Parse("192.0.2.100");
    public static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:64");
    public static readonly IPv4Address Neighbour = IPv4Address.Parse("192.0.2.101");
    public static readonly MacAddress NeighbourMac = MacAddress.Parse("02:00:00:00:00:65");
    public static readonly IPv4Address Gateway = IPv4Address.Parse("192.0.2.254");
    public static readonly MacAddress GatewayMac = MacAddress.Parse("02:00:00:00:00:fe");
    public static readonly IPv4Address RemoteClient = IPv4Address.Parse("198.51.100.7");

    public const ushort HttpPort = 80;
    public const ushort HttpRealPort = 8080;
    public const ushort DnsPort = 53;
    public const ushort DnsRealPort = 5353;

    public static readonly VirtualServiceKey Http = new(Protocol.Tcp, Vip, HttpPort);
    public static readonly VirtualServiceKey Dns = new(Protocol.Udp, Vip, DnsPort);

    public static readonly RouterAddresses Router = new(
        PublicMac, PublicAddress, IPv4Address.Parse("192.0.2.0"), IPv4Address.Parse("255.255.255.0"),
        PrivateMac, NatRouter, Gateway);

    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();
    private readonly RxFrame[] _received = new RxFrame[4];
    private readonly long[] _dropsBefore = new long[Reasons.Length];

    /// <param name="ownership">The active/standby switch (owned when not given).</param>
    /// <param name="answerNatRouterArp">The engine answers ARP for the NAT router address on the private side.</param>
    /// <param name="export">Connection sync export (the active router's side).</param>
    /// <param name="import">Connection sync import (the backup's side).</param>
    /// <param name="publicMtu">The public link's MTU.</param>
    /// <param name="privateMtu">The private link's MTU.</param>
    public NatLab(int capacity = 256, bool publicVnet = false, bool privateVnet = false, int slotSize = 2048,
        FloatingAddressOwnership? ownership = null, bool answerNatRouterArp = false,
        ConnectionSyncExport? export = null, ConnectionSyncImport? import = null,
        int publicMtu = RouterAddresses.DefaultMtu, int privateMtu = RouterAddresses.DefaultMtu)
    {
        var router = publicMtu == RouterAddresses.DefaultMtu && privateMtu == RouterAddresses.DefaultMtu
            ? Router
            : new RouterAddresses([Router.PublicLinks[0] with { Mtu = publicMtu }], PrivateMac, NatRouter, privateMtu);
        Public = new MemoryFrameIo("pub", slotSize, vnetHeader: publicVnet);
        Private = new MemoryFrameIo("priv", slotSize, vnetHeader: privateVnet);
        Templates = new PersistenceTemplateTable(64);
        Connections = new ConnectionTable(capacity, new IpvsTimeouts(), Templates);
        Ownership = ownership ?? new FloatingAddressOwnership();
        Engine = new NatEngine(Services, Connections, Templates, Neighbours, router, Public, Private)
        {
            Ownership = Ownership,
            AnswerNatRouterArp = answerNatRouterArp,
            SyncExport = export,
            SyncImport = import,
        };
    }

    public FloatingAddressOwnership Ownership { get; }

    public MemoryFrameIo Public { get; }
    public MemoryFrameIo Private { get; }
    public ServiceTable Services { get; } = new();
    public NeighbourTable Neighbours { get; } = new();
    public PersistenceTemplateTable Templates { get; }
    public ConnectionTable Connections { get; }
    public NatEngine Engine { get; }

    /// <summary>The worker's clock in milliseconds; tests move it forward by hand.</summary>
    public long Now { get; set; } = 1_000_000;

    /// <summary>Real server n (1..3): 10.0.0.1n.</summary>
    public static IPv4Address Rip(int n) => new(NatRouter.Value + 10 + (uint)n);

    public static MacAddress ServerMac(int n) => new(PrivateMac.Value + 10 + (ulong)n);

    /// <summary>Which real server (1..3) an address is, for assertions.</summary>
    public static int ServerNumber(IPv4Address rip) => (int)(rip.Value - NatRouter.Value - 10);

    /// <summary>
    /// Adds a virtual service with real servers 1..<paramref name="servers"/> listed in that order
    /// (added last to first, as ipvsadm -a puts each new server at the head of the list).
    /// </summary>
    public RealServer[] AddService(VirtualServiceKey key, string scheduler = SchedulerNames.RoundRobin, ushort realPort = HttpRealPort,
        int servers = 3, Persistence persistence = default, int[]? weights = null)
    {
        Assert.Equal(TableResult.Ok, Services.AddService(new VirtualServiceConfig(key, scheduler, Persistence: persistence)));
        var list = new RealServer[servers];
        for (int n = servers; n >= 1; n--)
        {
            list[n - 1] = new RealServer(Rip(n), realPort, weights?[n - 1] ?? 1);
            Assert.Equal(TableResult.Ok, Services.AddRealServer(key, list[n - 1]));
        }
        return list;
    }

    /// <summary>The real servers' MACs, as their ARP replies would have taught the router.</summary>
    public void LearnServers(int count = 3)
    {
        for (int n = 1; n <= count; n++) Neighbours.Learn(Rip(n), ServerMac(n), Now);
    }

    /// <param name="vlanTci">The 802.1Q tag the kernel took out of the frame (with <see cref="RxFrameFlags.VlanValid"/>).</param>
    public Outcome FromClient(byte[] frame, RxFrameFlags flags = RxFrameFlags.None, VirtioNetHeader vnet = default, ushort vlanTci = 0) =>
        Run(Public, fromPublic: true, frame, flags, vnet, vlanTci);

    public Outcome FromServer(byte[] frame, RxFrameFlags flags = RxFrameFlags.None, VirtioNetHeader vnet = default, ushort vlanTci = 0) =>
        Run(Private, fromPublic: false, frame, flags, vnet, vlanTci);

    /// <summary>What the worker does when no frame arrived within its poll timeout: begin and end an empty batch.</summary>
    public void Idle()
    {
        Engine.BeginBatch(Now);
        Engine.EndBatch(Now);
        Assert.Equal(0, Public.TransmittedCount + Private.TransmittedCount);
    }

    /// <summary>The connection of client:port to the VIP service, without touching its state.</summary>
    public ConnectionEntry ConnectionOf(ushort clientPort, IPv4Address? client = null, VirtualServiceKey? service = null)
    {
        var key = service ?? Http;
        int index = Connections.LookupInbound(key.Protocol, client ?? Client, clientPort, key.Address, key.Port, 0, Now);
        Assert.NotEqual(ConnectionTable.NotFound, index);
        return Connections[index];
    }

    private Outcome Run(MemoryFrameIo port, bool fromPublic, byte[] frame, RxFrameFlags flags, in VirtioNetHeader vnet, ushort vlanTci)
    {
        var stats = Engine.Stats;
        for (int i = 0; i < Reasons.Length; i++) _dropsBefore[i] = stats.Dropped(Reasons[i]);
        long received = stats.Received;

        Assert.True(port.EnqueueReceive(frame, flags, vnet, vlanTci));
        Engine.BeginBatch(Now);
        Assert.Equal(1, port.Receive(_received));
        var verdict = fromPublic ? Engine.FromPublic(in _received[0], Now) : Engine.FromPrivate(in _received[0], Now);
        Engine.EndBatch(Now);
        port.ReleaseReceived();

        var reason = DropReason.None;
        int moved = 0;
        for (int i = 0; i < Reasons.Length; i++)
        {
            if (stats.Dropped(Reasons[i]) == _dropsBefore[i]) continue;
            Assert.Equal(_dropsBefore[i] + 1, stats.Dropped(Reasons[i]));
            reason = Reasons[i];
            moved++;
        }
        Assert.Equal(verdict == FrameVerdict.Dropped ? 1 : 0, moved);
        Assert.Equal(received + 1, stats.Received);
        Assert.True(stats.IsBalanced);
        return new Outcome(verdict, reason, Drain(Public), Drain(Private));
    }

    private static List<SentFrame> Drain(MemoryFrameIo port)
    {
        var frames = new List<SentFrame>();
        while (port.TakeTransmitted(out var vnet) is { } bytes) frames.Add(new SentFrame(bytes, vnet));
        return frames;
    }

    public void Dispose()
    {
        Public.Dispose();
        Private.Dispose();
    }
}

/// <summary>One transmitted frame and the virtio_net_hdr it was handed to the port with.</summary>
internal sealed record SentFrame(byte[] Bytes, VirtioNetHeader Vnet);

/// <summary>What became of one received frame: its verdict, its drop reason, what each port sent.</summary>
internal sealed record Outcome(FrameVerdict Verdict, DropReason Reason, IReadOnlyList<SentFrame> Public, IReadOnlyList<SentFrame> Private)
{
    /// <summary>The one frame sent on the private side, nothing on the public side.</summary>
    public byte[] ToServer()
    {
        Assert.Equal((FrameVerdict.Forwarded, DropReason.None), (Verdict, Reason));
        Assert.Empty(Public);
        return Assert.Single(Private).Bytes;
    }

    /// <summary>The one frame sent on the public side, nothing on the private side.</summary>
    public byte[] ToClient()
    {
        Assert.Equal((FrameVerdict.Forwarded, DropReason.None), (Verdict, Reason));
        Assert.Empty(Private);
        return Assert.Single(Public).Bytes;
    }

    /// <summary>Asserts the verdict and reason, and that nothing was sent at all.</summary>
    public void AssertSilent(FrameVerdict verdict, DropReason reason = DropReason.None)
    {
        Assert.Equal((verdict, reason), (Verdict, Reason));
        Assert.Empty(Public);
        Assert.Empty(Private);
    }
}
