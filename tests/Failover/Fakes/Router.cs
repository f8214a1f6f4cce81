using UserLvs.Failover.Protocol;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>
/// One router in a test: a real <see cref="PulseStateMachine"/> whose actions go to the fake wire and
/// into a shared timeline. The timeline leaves out heartbeats and replies (hundreds a second) so that
/// tests can assert the exact sequence of what matters.
/// </summary>
public sealed class Router : IPulseActions
{
    private readonly FakeWire wire;
    private readonly List<string> timeline;

    public Router(string name, PulseSettings settings, TimeProvider time, FakeWire wire, List<string> timeline, ulong bootId)
    {
        Name = name;
        this.wire = wire;
        this.timeline = timeline;
        Machine = new PulseStateMachine(settings, this, time, bootId);
    }

    public string Name { get; }
    public PulseStateMachine Machine { get; }
    public bool Crashed { get; set; }
    public int HeartbeatsSent { get; private set; }
    public int RepliesSent { get; private set; }
    public List<byte[]> SyncBatches { get; } = [];
    public List<FailoverTransition> Transitions { get; } = [];

    public void Send(PulseNetwork network, ReadOnlySpan<byte> datagram)
    {
        var type = (PulseMessageType)datagram[3];
        if (type == PulseMessageType.Heartbeat) HeartbeatsSent++;
        else if (type == PulseMessageType.HeartbeatReply) RepliesSent++;
        else timeline.Add($"{Name}: send {type} {network.ToString().ToLowerInvariant()}");
        wire.Post(Name, network, datagram.ToArray());
    }

    public void BecomeActive() => timeline.Add($"{Name}: BecomeActive");
    public void BecomeStandby() => timeline.Add($"{Name}: BecomeStandby");
    public void Reannounce() => timeline.Add($"{Name}: Reannounce");
    public void RunActiveCommand() => timeline.Add($"{Name}: active_cmd");
    public void RunInactiveCommand() => timeline.Add($"{Name}: inactive_cmd");

    public void SyncBatchReceived(ReadOnlySpan<byte> payload)
    {
        timeline.Add($"{Name}: sync batch of {payload.Length} bytes");
        SyncBatches.Add(payload.ToArray());
    }

    public void Transitioned(FailoverTransition transition)
    {
        Transitions.Add(transition);
        timeline.Add($"{Name}: {transition.From} -> {transition.To} ({transition.Reason})");
    }
}
