using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Benchmarks;

/// <summary>
/// The per-packet LVS-NAT path through <see cref="NatEngine"/> on the in-memory backend, as a worker
/// runs it: a batch of 64 frames is queued into the RX ring (the kernel's copy), received, run through
/// FromPublic / FromPrivate, copied into the other port's TX ring, and EndBatch flushes and sweeps.
/// Every number is per packet (OperationsPerInvoke = 64).
///
///   ClientToServer  an established connection's data segment, client -> VIP:80: service lookup,
///                   connection lookup + state update, rewrite to RIP:8080 (incremental checksums),
///                   TTL, MACs, copy to the private TX ring, counters
///   ServerToClient  its reply RIP:8080 -> client: reverse lookup, rewrite back to VIP:80, public TX
///   NewConnection   a SYN from a client port not in use: lookup miss, wlc pick over 8 servers,
///                   insert in both indexes, SYN_RECV, forward. The SYN_RECV timeout is set to 1 s and
///                   the clock moves 4 ms per batch, so the connection that last used a client port
///                   (32,768 SYNs, 2 s ago) has expired and is removed on the way (by the lookup or the
///                   sweep): the steady state of a router where connections end as fast as they start.
///   QueueOnly       the harness alone (queue, receive, release, flush), to subtract.
/// Frames: Ethernet + IPv4 + TCP + 64 bytes of payload (118 bytes), checksums complete. Neighbours
/// are learned beforehand. Target: 0 bytes allocated per packet.
/// </summary>
[Config(typeof(BenchConfig))]
public class NatPathBenchmarks
{
    public const int Batch = 64;
    private const int PayloadBytes = 64;
    private const int ClientPorts = 32_768;

    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:5e:10:00:07");
    private static readonly MacAddress PublicMac = MacAddress.Parse("02:00:5e:10:00:01");
    private static readonly MacAddress PrivateMac = MacAddress.Parse("02:00:5e:20:00:01");
    private static readonly IPv4Address Vip = IPv4Address.Parse("192.0.2.10");
    private static readonly IPv4Address Client = IPv4Address.Parse("192.0.2.77");
    private const ushort ClientPort = 40_000;
    private static readonly IPv4Address SynClient = IPv4Address.Parse("192.0.2.78");

    private readonly RxFrame[] _frames = new RxFrame[Batch];
    private MemoryFrameIo _public = null!;
    private MemoryFrameIo _private = null!;
    private NatEngine _engine = null!;
    private byte[] _request = [];
    private byte[] _reply = [];
    private byte[] _syn = [];
    private ushort _synChecksum;
    private int _nextPort;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceTable();
        var http = new VirtualServiceKey(Protocol.Tcp, Vip, 80);
        services.AddService(new VirtualServiceConfig(http, "wlc"));
        for (int i = 1; i <= 8; i++)
            services.AddRealServer(http, new RealServer(new IPv4Address(0x0A000000u + (uint)(20 + i)), 8080, weight: 1 + i % 3));

        var timeouts = new IpvsTimeouts();
        timeouts.SetTcp(TcpState.SynRecv, 1);
        var connections = new ConnectionTable(1 << 17, timeouts);
        var neighbours = new NeighbourTable();
        neighbours.Learn(Client, ClientMac, 0);
        neighbours.Learn(SynClient, ClientMac, 0);
        for (int i = 1; i <= 8; i++)
            neighbours.Learn(new IPv4Address(0x0A000000u + (uint)(20 + i)), MacAddress.Parse($"02:00:5e:30:00:{i:x2}"), 0);
        var router = new RouterAddresses(PublicMac, IPv4Address.Parse("192.0.2.1"), IPv4Address.Parse("192.0.2.0"),
            IPv4Address.Parse("255.255.255.0"), PrivateMac, IPv4Address.Parse("10.0.0.1"));
        _public = new MemoryFrameIo("pub0", rxSlots: 256, txSlots: 256) { DiscardTransmitted = true };
        _private = new MemoryFrameIo("priv0", rxSlots: 256, txSlots: 256) { DiscardTransmitted = true };
        _engine = new NatEngine(services, connections, templates: null, neighbours, router, _public, _private);

        // One established connection for the data path: SYN, SYN-ACK, ACK through the engine itself.
        _now = 1000;
        Expect(FromPublic(Tcp(ClientMac, PublicMac, Client, ClientPort, Vip, 80, TcpStateMachine.Syn, 0)), "SYN");
        int index = connections.LookupInbound(Protocol.Tcp, Client, ClientPort, Vip, 80, 0, _now);
        var server = connections[index].Server;
        var serverMac = MacAddress.Parse($"02:00:5e:30:00:{(int)(server.Address.Value - 0x0A000000u - 20):x2}");
        _reply = Tcp(serverMac, PrivateMac, server.Address, server.Port, Client, ClientPort, TcpStateMachine.Ack, PayloadBytes);
        Expect(FromPrivate(Tcp(serverMac, PrivateMac, server.Address, server.Port, Client, ClientPort,
            TcpStateMachine.Syn | TcpStateMachine.Ack, 0)), "SYN-ACK");
        _request = Tcp(ClientMac, PublicMac, Client, ClientPort, Vip, 80, TcpStateMachine.Ack, PayloadBytes);
        Expect(FromPublic(_request), "ACK");
        if (connections[index].State != TcpState.Established) throw new InvalidOperationException($"state {connections[index].State}");

        _syn = Tcp(ClientMac, PublicMac, SynClient, 0, Vip, 80, TcpStateMachine.Syn, 0);
        _synChecksum = BinaryPrimitives.ReadUInt16BigEndian(_syn.AsSpan(14 + 20 + 16));
        Expect(FromPublic(_request), "data");
        Expect(FromPrivate(_reply), "reply");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _public.Dispose();
        _private.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Batch, Baseline = true)]
    public void QueueOnly()
    {
        for (int i = 0; i < Batch; i++) _public.EnqueueReceive(_request);
        int n = _public.Receive(_frames);
        _public.ReleaseReceived();
        _public.FlushTx();
        if (n != Batch) throw new InvalidOperationException();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int ClientToServer()
    {
        for (int i = 0; i < Batch; i++) _public.EnqueueReceive(_request);
        _engine.BeginBatch(_now);
        int n = _public.Receive(_frames);
        int forwarded = 0;
        for (int i = 0; i < n; i++) forwarded += _engine.FromPublic(in _frames[i], _now) == FrameVerdict.Forwarded ? 1 : 0;
        _engine.EndBatch(_now);
        _public.ReleaseReceived();
        return forwarded;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int ServerToClient()
    {
        for (int i = 0; i < Batch; i++) _private.EnqueueReceive(_reply);
        _engine.BeginBatch(_now);
        int n = _private.Receive(_frames);
        int forwarded = 0;
        for (int i = 0; i < n; i++) forwarded += _engine.FromPrivate(in _frames[i], _now) == FrameVerdict.Forwarded ? 1 : 0;
        _engine.EndBatch(_now);
        _private.ReleaseReceived();
        return forwarded;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int NewConnection()
    {
        Span<byte> syn = _syn;
        for (int i = 0; i < Batch; i++)
        {
            // A fresh client port; the TCP checksum follows it (RFC 1624), as a real client's would.
            ushort port = (ushort)(ClientPorts + (_nextPort++ & (ClientPorts - 1)));
            BinaryPrimitives.WriteUInt16BigEndian(syn[(14 + 20)..], port);
            BinaryPrimitives.WriteUInt16BigEndian(syn[(14 + 20 + 16)..], Checksum.Update16(_synChecksum, 0, port));
            _public.EnqueueReceive(syn);
        }
        _now += 4;
        _engine.BeginBatch(_now);
        int n = _public.Receive(_frames);
        int forwarded = 0;
        for (int i = 0; i < n; i++) forwarded += _engine.FromPublic(in _frames[i], _now) == FrameVerdict.Forwarded ? 1 : 0;
        _engine.EndBatch(_now);
        _public.ReleaseReceived();
        return forwarded;
    }

    private FrameVerdict FromPublic(byte[] frame)
    {
        _public.EnqueueReceive(frame);
        _public.Receive(_frames.AsSpan(0, 1));
        var verdict = _engine.FromPublic(in _frames[0], _now);
        _engine.EndBatch(_now);
        _public.ReleaseReceived();
        return verdict;
    }

    private FrameVerdict FromPrivate(byte[] frame)
    {
        _private.EnqueueReceive(frame);
        _private.Receive(_frames.AsSpan(0, 1));
        var verdict = _engine.FromPrivate(in _frames[0], _now);
        _engine.EndBatch(_now);
        _private.ReleaseReceived();
        return verdict;
    }

    private void Expect(FrameVerdict verdict, string what)
    {
        if (verdict != FrameVerdict.Forwarded)
            throw new InvalidOperationException($"{what}: {verdict}, drops: {_engine.Stats}");
    }

    /// <summary>An Ethernet/IPv4/TCP frame with correct IP and TCP checksums.</summary>
    private static byte[] Tcp(MacAddress source, MacAddress destination, IPv4Address from, ushort fromPort,
        IPv4Address to, ushort toPort, byte flags, int payload)
    {
        var frame = new byte[14 + 20 + 20 + payload];
        var span = frame.AsSpan();
        destination.WriteTo(span);
        source.WriteTo(span[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], 0x0800);
        var ip = span.Slice(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 20 + payload));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF
        ip[8] = 64;
        ip[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], from.Value);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], to.Value);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip));
        var tcp = span[34..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, fromPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], toPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 0x01020304);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], (flags & TcpStateMachine.Ack) != 0 ? 0x0A0B0C0Du : 0);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 29200);
        for (int i = 0; i < payload; i++) tcp[20 + i] = (byte)(i * 7 + 3);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum.ComputeTransport(from, to, 6, tcp));
        return frame;
    }
}
