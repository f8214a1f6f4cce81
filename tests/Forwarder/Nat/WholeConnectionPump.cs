using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// Whole connections through a <see cref="NatLab"/> engine the way a worker runs it, for the
/// allocation tests: per connection SYN, SYN-ACK, ACK, request, response, client FIN, server FIN, last
/// ACK (8 frames), over 48 client ports in turn, so new connections replace ones in TIME_WAIT. Every
/// frame is built before the first run; each is received, prefetched, handled and flushed as its own
/// batch, with the worker's own RxFrame array. <paramref name="afterConnection"/> runs after each
/// connection (a sync sender draining, say); the clock advances <paramref name="clockStep"/> ms.
/// </summary>
internal sealed class WholeConnectionPump(NatLab lab, int clockStep = 1, Action? afterConnection = null) : IDisposable
{
    public const int ClientPorts = 48;
    public const int PacketsPerConnection = 8;

    private readonly RxFrame[] _received = new RxFrame[8];
    // Per client port: what the client sends; per port and server: what that server answers.
    private readonly byte[][][] _client = BuildClientFrames();
    private readonly byte[][][][] _server = BuildServerFrames();
    private readonly NatLab _lab = Prepare(lab);
    private long _now = 1_000_000;

    public ForwarderStats Stats => _lab.Engine.Stats;
    public ConnectionTable Connections => _lab.Connections;

    /// <summary>Runs whole connections until <paramref name="packets"/> frames went through; returns how many were forwarded.</summary>
    public int Run(int packets)
    {
        int forwarded = 0;
        for (int sent = 0, c = 0; sent < packets; c++)
        {
            int p = c % ClientPorts;
            var client = _client[p];
            forwarded += FromClient(client[0]);                        // SYN (a TIME_WAIT entry is replaced)
            int index = _lab.Connections.LookupInbound(Protocol.Tcp, NatLab.Client, (ushort)(40000 + p), NatLab.Vip, 80, 0, _now);
            var server = _server[p][NatLab.ServerNumber(_lab.Connections[index].RealAddress)];
            forwarded += FromServer(server[0]);                        // SYN-ACK
            forwarded += FromClient(client[1]);                        // ACK
            forwarded += FromClient(client[2]);                        // request
            forwarded += FromServer(server[1]);                        // response
            forwarded += FromClient(client[3]);                        // client FIN
            forwarded += FromServer(server[2]);                        // server FIN
            forwarded += FromClient(client[4]);                        // last ACK
            sent += PacketsPerConnection;
            afterConnection?.Invoke();
            _now += clockStep;
        }
        return forwarded;
    }

    private static NatLab Prepare(NatLab lab)
    {
        lab.AddService(NatLab.Http);
        lab.LearnServers();
        lab.Public.DiscardTransmitted = true;
        lab.Private.DiscardTransmitted = true;
        return lab;
    }

    private static byte[][][] BuildClientFrames()
    {
        var frames = new byte[ClientPorts][][];
        for (int p = 0; p < ClientPorts; p++)
        {
            ushort port = (ushort)(40000 + p);
            frames[p] =
            [
                Wire.ClientTcp(port, TcpFlags.Syn),
                Wire.ClientTcp(port, TcpFlags.Ack),
                Wire.ClientTcp(port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(300, p)),
                Wire.ClientTcp(port, TcpFlags.Fin | TcpFlags.Ack),
                Wire.ClientTcp(port, TcpFlags.Ack),
            ];
        }
        return frames;
    }

    private static byte[][][][] BuildServerFrames()
    {
        var frames = new byte[ClientPorts][][][];
        for (int p = 0; p < ClientPorts; p++)
        {
            ushort port = (ushort)(40000 + p);
            frames[p] = new byte[4][][];
            for (int s = 1; s <= 3; s++)
                frames[p][s] =
                [
                    Wire.ServerTcp(s, port, TcpFlags.Syn | TcpFlags.Ack),
                    Wire.ServerTcp(s, port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(1200, p + s)),
                    Wire.ServerTcp(s, port, TcpFlags.Fin | TcpFlags.Ack),
                ];
        }
        return frames;
    }

    private int FromClient(byte[] frame) => Once(_lab.Public, frame, fromPublic: true);

    private int FromServer(byte[] frame) => Once(_lab.Private, frame, fromPublic: false);

    private int Once(MemoryFrameIo port, byte[] frame, bool fromPublic)
    {
        port.EnqueueReceive(frame);
        var engine = _lab.Engine;
        engine.BeginBatch(_now);
        int n = port.Receive(_received);
        if (fromPublic) engine.PrefetchFromPublic(_received.AsSpan(0, n));   // as the worker does for a batch
        else engine.PrefetchFromPrivate(_received.AsSpan(0, n));
        int forwarded = 0;
        for (int i = 0; i < n; i++)
        {
            var verdict = fromPublic ? engine.FromPublic(in _received[i], _now) : engine.FromPrivate(in _received[i], _now);
            if (verdict == FrameVerdict.Forwarded) forwarded++;
        }
        engine.EndBatch(_now);
        port.ReleaseReceived();
        return forwarded;
    }

    public void Dispose() => _lab.Dispose();
}
