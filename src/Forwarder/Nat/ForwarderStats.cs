namespace UserLvs.Forwarder.Nat;

/// <summary>
/// One worker's frame accounting: how many frames were forwarded in each direction, answered,
/// left to the kernel, and dropped per <see cref="DropReason"/>. Written by its worker only (plain
/// increments); read by the metrics endpoint and status commands, which sum all workers.
/// </summary>
public sealed class ForwarderStats
{
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];

    public long Received;
    public long ForwardedToServers;
    public long ForwardedToClients;
    public long Answered;
    public long LeftToKernel;
    public long ArpRequestsSent;

    /// <summary>ICMP errors this worker originated (time exceeded, fragmentation needed).</summary>
    public long IcmpErrorsSent;

    /// <summary>ICMP errors not sent: over the rate limit (<see cref="IcmpErrorBudget"/>) or no transmit slot.</summary>
    public long IcmpErrorsSuppressed;

    public long Dropped(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    public long DroppedTotal
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _drops.Length; i++) sum += Volatile.Read(ref _drops[i]);
            return sum;
        }
    }

    internal void CountDrop(DropReason reason) => _drops[(int)reason]++;

    /// <summary>Frames lost before the worker saw them (a full receive ring): received, and dropped.</summary>
    internal void CountLostBeforeReceive(DropReason reason, long count)
    {
        Received += count;
        _drops[(int)reason] += count;
    }

    /// <summary>Every frame received has exactly one outcome; a test holds the forwarder to it.</summary>
    public bool IsBalanced =>
        Received == ForwardedToServers + ForwardedToClients + Answered + LeftToKernel + DroppedTotal;
}
