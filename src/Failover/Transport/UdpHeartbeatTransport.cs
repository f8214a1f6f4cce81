using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using UserLvs.Failover.Protocol;
using UserLvs.Scheduling;

namespace UserLvs.Failover.Transport;

/// <summary>
/// Pulse over UDP: one socket per heartbeat network, bound to this router's own address on that
/// network and heartbeat_port (SO_REUSEADDR, so a restart does not wait and a second daemon on
/// the host can be started for a drill), sending to the peer's address on the same network and port.
/// Each socket has its own receive thread; receiving and sending allocate nothing per datagram.
/// Send errors (no route while a link is down, ICMP unreachable from a dead peer) are counted, not
/// thrown: the state machine treats them like any lost datagram.
/// </summary>
public sealed class UdpHeartbeatTransport : IHeartbeatTransport
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly Channel?[] channels = new Channel?[2];
    private volatile bool stopping;
    private long sendErrors;
    private long receiveErrors;

    /// <param name="port">heartbeat_port (539 by default).</param>
    public UdpHeartbeatTransport(RoleAssignment roles, ushort port)
    {
        ArgumentNullException.ThrowIfNull(roles);
        channels[(int)PulseNetwork.Public] = new Channel(PulseNetwork.Public, roles.SelfPublic, roles.PeerPublic, port);
        try
        {
            if (roles.HasPrivateNetwork)
                channels[(int)PulseNetwork.Private] = new Channel(PulseNetwork.Private, roles.SelfPrivate!.Value, roles.PeerPrivate!.Value, port);
        }
        catch
        {
            channels[0]!.Socket.Dispose();
            throw;
        }
    }

    public long SendErrors => Interlocked.Read(ref sendErrors);
    public long ReceiveErrors => Interlocked.Read(ref receiveErrors);

    public void Start(PulseDatagramHandler received)
    {
        ArgumentNullException.ThrowIfNull(received);
        foreach (var channel in channels)
        {
            if (channel is null || channel.Thread is not null) continue;
            var c = channel;
            c.Thread = new Thread(() => ReceiveLoop(c, received)) { IsBackground = true, Name = $"pulse-{c.Network.ToString().ToLowerInvariant()}" };
            c.Thread.Start();
        }
    }

    public void Send(PulseNetwork network, ReadOnlySpan<byte> datagram)
    {
        var channel = channels[(int)network];
        if (channel is null || stopping) return;
        try
        {
            channel.Socket.SendTo(datagram, SocketFlags.None, channel.Peer);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref sendErrors);
        }
    }

    public void Dispose()
    {
        stopping = true;
        foreach (var channel in channels)
        {
            if (channel is null) continue;
            channel.Thread?.Join(PollInterval * 3);
            channel.Socket.Dispose();
        }
    }

    private void ReceiveLoop(Channel channel, PulseDatagramHandler received)
    {
        var buffer = new byte[PulseWireFormat.MaxDatagram + 1];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (!stopping)
        {
            int length;
            try
            {
                length = channel.Socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
            {
                continue;
            }
            catch (SocketException)
            {
                // ICMP port unreachable from a peer that is down shows up here on Linux; keep listening.
                Interlocked.Increment(ref receiveErrors);
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            var bytes = from.Buffer.Span;
            // sockaddr_in: family (2), port (2, network order), address (4, network order).
            ushort port = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
            var address = new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]));
            received(channel.Network, buffer.AsSpan(0, length), address, port);
        }
    }

    /// <summary>Room for a burst of ~2,800 sync datagrams (4 MiB).</summary>
    private const int ReceiveBufferBytes = 4 << 20;

    private sealed class Channel
    {
        public Channel(PulseNetwork network, IPv4Address self, IPv4Address peer, ushort port)
        {
            Network = network;
            Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                Socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                Socket.ReceiveTimeout = (int)PollInterval.TotalMilliseconds;
                EnlargeReceiveBuffer(Socket);
                Socket.Bind(new IPEndPoint(self.ToIPAddress(), port));
            }
            catch
            {
                Socket.Dispose();
                throw;
            }
            Peer = new IPEndPoint(peer.ToIPAddress(), port).Serialize();
        }

        /// <summary>
        /// A whole-table connection sync arrives as a burst of hundreds of datagrams while the new
        /// peer's receive thread may still be warming up: the default buffer (rmem_default, ~208 KiB)
        /// would drop most of it. As root SO_RCVBUFFORCE passes rmem_max; otherwise take what SO_RCVBUF gives.
        /// </summary>
        private static void EnlargeReceiveBuffer(Socket socket)
        {
            const int SOL_SOCKET = 1, SO_RCVBUFFORCE = 33;
            Span<byte> size = stackalloc byte[sizeof(int)];
            BinaryPrimitives.WriteInt32LittleEndian(size, ReceiveBufferBytes);
            try { socket.SetRawSocketOption(SOL_SOCKET, SO_RCVBUFFORCE, size); }
            catch (SocketException) { socket.ReceiveBufferSize = ReceiveBufferBytes; }
        }

        public PulseNetwork Network { get; }
        public Socket Socket { get; }
        public SocketAddress Peer { get; }
        public Thread? Thread { get; set; }
    }
}
