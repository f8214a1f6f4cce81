using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// The pipeline allocates nothing per packet: whole connections (SYN, SYN-ACK, ACK, data both ways,
/// FIN both ways, last ACK) through receive, schedule, connection table, rewrite, transmit and
/// flush, with new connections replacing ones in TIME_WAIT, measured on this thread with
/// GC.GetAllocatedBytesForCurrentThread after a warm-up. Frames are built before measuring; the
/// loop below is the worker's (it holds its own RxFrame array, as NatWorker does).
/// </summary>
public sealed class NatAllocationTests
{
    private const int ClientPorts = 48;
    private const int PacketsPerConnection = 8;

    private sealed class Pump : IDisposable
    {
        private readonly NatLab _lab = new(capacity: 1024);
        private readonly RxFrame[] _received = new RxFrame[8];
        // Per client port: what the client sends; per port and server: what that server answers.
        private readonly byte[][][] _client = new byte[ClientPorts][][];
        private readonly byte[][][][] _server = new byte[ClientPorts][][][];
        private long _now = 1_000_000;

        public Pump()
        {
            _lab.AddService(NatLab.Http);
            _lab.LearnServers();
            _lab.Public.DiscardTransmitted = true;
            _lab.Private.DiscardTransmitted = true;
            for (int p = 0; p < ClientPorts; p++)
            {
                ushort port = (ushort)(40000 + p);
                _client[p] =
                [
                    Wire.ClientTcp(port, TcpFlags.Syn),
                    Wire.ClientTcp(port, TcpFlags.Ack),
                    Wire.ClientTcp(port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(300, p)),
                    Wire.ClientTcp(port, TcpFlags.Fin | TcpFlags.Ack),
                    Wire.ClientTcp(port, TcpFlags.Ack),
                ];
                _server[p] = new byte[4][][];
                for (int s = 1; s <= 3; s++)
                    _server[p][s] =
                    [
                        Wire.ServerTcp(s, port, TcpFlags.Syn | TcpFlags.Ack),
                        Wire.ServerTcp(s, port, TcpFlags.Psh | TcpFlags.Ack, Wire.Payload(1200, p + s)),
                        Wire.ServerTcp(s, port, TcpFlags.Fin | TcpFlags.Ack),
                    ];
            }
        }

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
                _now++;
            }
            return forwarded;
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

    [Fact]
    public void OneHundredThousandPackets_OfWholeConnections_AllocateNothing()
    {
        using var pump = new Pump();
        Assert.Equal(20_000, pump.Run(20_000));   // warm-up: every path jitted through its tiers

        long before = GC.GetAllocatedBytesForCurrentThread();
        int forwarded = pump.Run(100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100_000, forwarded);
        Assert.Equal(0, allocated);
        Assert.Equal(120_000, pump.Stats.Received);
        Assert.Equal(75_000, pump.Stats.ForwardedToServers);
        Assert.Equal(45_000, pump.Stats.ForwardedToClients);
        Assert.True(pump.Stats.IsBalanced);
        Assert.Equal(ClientPorts, pump.Connections.Count);   // each port's last connection, in TIME_WAIT
    }
}
