using Microsoft.Extensions.Time.Testing;
using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>One state machine driven by hand, its peer played by a <see cref="PeerScript"/>.</summary>
public sealed class SingleRouter
{
    public SingleRouter(bool primary = true, bool forceActive = false)
    {
        Machine = new PulseStateMachine(Addresses.Settings(primary ? Addresses.Primary(forceActive) : Addresses.Backup(forceActive)), Actions, Time, bootId: 7);
        Peer = new PeerScript(Time, isPrimary: !primary);
        Machine.Start();
        Actions.Clear();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    public RecordingActions Actions { get; } = new();
    public PulseStateMachine Machine { get; }
    public PeerScript Peer { get; }

    /// <summary>Delivers a datagram; returns null when accepted, else why it was dropped.</summary>
    public PulseDropReason? Deliver(byte[] datagram, PulseNetwork network = PulseNetwork.Public) =>
        Machine.Receive(network, datagram, out var reason) ? null : reason;

    public PulseDropReason? FromPeer(PulseMessageType type, RouterRole state, PulseNetwork network = PulseNetwork.Public) =>
        Deliver(Peer.Make(type, state, network), network);

    /// <summary>Advances the clock in 1 ms steps, ticking the machine each step.</summary>
    public void Run(TimeSpan duration)
    {
        for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromMilliseconds(1))
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
            Machine.Tick();
        }
    }

    /// <summary>The actions that matter, without heartbeats and replies.</summary>
    public string[] Significant => Actions.Log.Where(l => !l.StartsWith("send Heartbeat", StringComparison.Ordinal)).ToArray();

    /// <summary>Makes this router active: the peer is heard standby and this one has the better right.</summary>
    public SingleRouter Active()
    {
        FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Backup);
        if (Machine.Role != RouterRole.Active) throw new InvalidOperationException("not active");
        Actions.Clear();
        return this;
    }
}
