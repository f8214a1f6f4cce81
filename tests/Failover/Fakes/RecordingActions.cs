using UserLvs.Failover.Protocol;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>Records one machine's actions as text, heartbeats and replies included.</summary>
public sealed class RecordingActions : IPulseActions
{
    public List<string> Log { get; } = [];
    public List<byte[]> Sent { get; } = [];

    public void Send(PulseNetwork network, ReadOnlySpan<byte> datagram)
    {
        Sent.Add(datagram.ToArray());
        Log.Add($"send {(PulseMessageType)datagram[3]} {network.ToString().ToLowerInvariant()}");
    }

    public void BecomeActive() => Log.Add("BecomeActive");
    public void BecomeStandby() => Log.Add("BecomeStandby");
    public void Reannounce() => Log.Add("Reannounce");
    public void RunActiveCommand() => Log.Add("active_cmd");
    public void RunInactiveCommand() => Log.Add("inactive_cmd");
    public void SyncBatchReceived(ReadOnlySpan<byte> payload) => Log.Add($"sync batch of {payload.Length} bytes");
    public void Transitioned(FailoverTransition transition) => Log.Add($"{transition.From} -> {transition.To}");

    public void Clear() { Log.Clear(); Sent.Clear(); }
}
