using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// A send-only AF_PACKET socket for the control plane's own frames: ARP requests that resolve real
/// servers before their first connection, gratuitous ARP on takeover. Protocol 0 means the kernel
/// delivers it nothing, so it costs nothing while idle; the workers' rings are never shared with it.
/// </summary>
public sealed class LinkLayerSender : IFrameSender, IDisposable
{
    private readonly Socket _socket;
    private readonly LinkLayerEndPoint _endPoint;

    public LinkLayerSender(string interfaceName)
    {
        Name = interfaceName;
        int index = NetworkInterfaceInfo.GetIndex(interfaceName);
        _socket = new Socket(AddressFamily.Packet, SocketType.Raw, ProtocolType.Unspecified);
        _endPoint = new LinkLayerEndPoint(index);
    }

    public string Name { get; }

    /// <summary>Sends one complete Ethernet frame.</summary>
    public void Send(ReadOnlySpan<byte> frame) => _socket.SendTo(frame, SocketFlags.None, _endPoint);

    public void Dispose() => _socket.Dispose();

    /// <summary>struct sockaddr_ll naming the interface to send on (the frame carries its own addresses).</summary>
    private sealed class LinkLayerEndPoint(int interfaceIndex) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Packet;

        public override SocketAddress Serialize()
        {
            var address = new SocketAddress(AddressFamily.Packet, 20);
            Span<byte> raw = address.Buffer.Span;
            BinaryPrimitives.WriteUInt16BigEndian(raw[2..], 0x0003);       // sll_protocol: ETH_P_ALL
            BinaryPrimitives.WriteInt32LittleEndian(raw[4..], interfaceIndex); // sll_ifindex
            return address;
        }

        public override EndPoint Create(SocketAddress socketAddress) => this;
    }
}
