using UserLvs.Failover.Protocol;
using UserLvs.Failover.Transport;
using UserLvs.Scheduling;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>
/// An in-memory <see cref="IHeartbeatTransport"/>: sends queue up until the test pumps them to the
/// other end, so one service never runs inside another's call.
/// </summary>
public sealed class QueuedTransport(IPv4Address self) : IHeartbeatTransport
{
    private readonly Queue<(PulseNetwork, byte[])> outbox = new();
    private PulseDatagramHandler? handler;

    public QueuedTransport? Peer { get; set; }
    public bool Down { get; set; }

    public void Start(PulseDatagramHandler received) => handler = received;

    public void Send(PulseNetwork network, ReadOnlySpan<byte> datagram)
    {
        if (!Down) lock (outbox) outbox.Enqueue((network, datagram.ToArray()));
    }

    /// <summary>Hands every queued datagram to the peer; returns how many.</summary>
    public int Pump()
    {
        List<(PulseNetwork, byte[])> batch;
        lock (outbox) { batch = [.. outbox]; outbox.Clear(); }
        foreach (var (network, bytes) in batch) Peer?.handler?.Invoke(network, bytes, self, 539);
        return batch.Count;
    }

    public void Dispose() { }
}
