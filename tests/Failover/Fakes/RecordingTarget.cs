using System.Collections.Concurrent;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>An <see cref="IFailoverTarget"/> that records calls (thread-safe: real transports call from their threads).</summary>
public sealed class RecordingTarget : IFailoverTarget
{
    public ConcurrentQueue<string> Calls { get; } = new();
    public void BecomeActive() => Calls.Enqueue("BecomeActive");
    public void BecomeStandby() => Calls.Enqueue("BecomeStandby");
    public void Reannounce() => Calls.Enqueue("Reannounce");
    public void SyncBatchReceived(ReadOnlySpan<byte> payload) => Calls.Enqueue($"sync {payload.Length}");
}
