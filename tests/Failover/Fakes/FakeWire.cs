using UserLvs.Failover.Protocol;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>
/// The two networks between two routers, in memory: datagrams queue here and are delivered when the
/// test's clock reaches their delivery time, so a router never runs inside another router's call.
/// Links can be cut per sender and network, datagrams held back (and released late) or dropped by type.
/// </summary>
public sealed class FakeWire
{
    private readonly List<(string From, PulseNetwork Network, byte[] Bytes)> queue = [];
    private readonly List<(string From, PulseNetwork Network, byte[] Bytes)> held = [];
    private readonly HashSet<(string, PulseNetwork)> cut = [];
    private readonly HashSet<string> holding = [];

    /// <summary>Drops datagrams this returns true for (from, network, type).</summary>
    public Func<string, PulseNetwork, PulseMessageType, bool>? DropWhen { get; set; }

    public void Post(string from, PulseNetwork network, byte[] bytes)
    {
        if (cut.Contains((from, network))) return;
        if (DropWhen?.Invoke(from, network, (PulseMessageType)bytes[3]) == true) return;
        if (holding.Contains(from)) held.Add((from, network, bytes));
        else queue.Add((from, network, bytes));
    }

    public void Cut(string from, PulseNetwork network) => cut.Add((from, network));
    public void CutAll(string from) { Cut(from, PulseNetwork.Public); Cut(from, PulseNetwork.Private); }
    public void Heal() => cut.Clear();

    /// <summary>Keeps everything <paramref name="from"/> sends until <see cref="Release"/>.</summary>
    public void Hold(string from) => holding.Add(from);

    public void Release(string from)
    {
        holding.Remove(from);
        queue.AddRange(held.Where(h => h.From == from));
        held.RemoveAll(h => h.From == from);
    }

    /// <summary>Takes everything queued now (in send order).</summary>
    public List<(string From, PulseNetwork Network, byte[] Bytes)> TakeAll()
    {
        var all = queue.ToList();
        queue.Clear();
        return all;
    }
}
