using UserLvs.Failover.Protocol;
using UserLvs.Scheduling;

namespace UserLvs.Failover.Transport;

/// <summary>
/// Called for every datagram that arrives, on the transport's receive thread. The span is valid only
/// during the call.
/// </summary>
public delegate void PulseDatagramHandler(PulseNetwork network, ReadOnlySpan<byte> datagram, IPv4Address from, ushort fromPort);

/// <summary>
/// Carries pulse datagrams between the two routers, on the public network and (when configured)
/// the private one. The UDP implementation is <see cref="UdpHeartbeatTransport"/>; tests use a fake.
/// </summary>
public interface IHeartbeatTransport : IDisposable
{
    /// <summary>Starts receiving; <paramref name="received"/> is called for each datagram.</summary>
    void Start(PulseDatagramHandler received);

    /// <summary>Sends to the peer on that network. Never throws for a network error (UDP is lossy anyway).</summary>
    void Send(PulseNetwork network, ReadOnlySpan<byte> datagram);
}
