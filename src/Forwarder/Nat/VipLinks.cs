using System.Collections.Frozen;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// Which public link each VIP lives on (lvs.cf's `address = VIP DEVICE`): where its ARP is answered,
/// where its traffic is accepted, and where replies of its connections leave. Read per packet
/// without a lock. A VIP never listed belongs to link 0.
///
/// A reload adds and moves VIPs but forgets none: a VIP whose service a reload removed keeps its link,
/// because its established connections go on (as in IPVS, where a deleted service's connections live
/// until they expire) and their replies must still leave where its clients are.
/// </summary>
public sealed class VipLinks
{
    private FrozenDictionary<IPv4Address, int> _links = FrozenDictionary<IPv4Address, int>.Empty;

    public int LinkOf(IPv4Address vip) => Volatile.Read(ref _links).TryGetValue(vip, out int link) ? link : 0;

    /// <summary>Publishes the links of the configured VIPs; those no longer configured keep theirs.</summary>
    public void Set(IReadOnlyDictionary<IPv4Address, int> links)
    {
        var merged = new Dictionary<IPv4Address, int>(Volatile.Read(ref _links));
        foreach (var (vip, link) in links) merged[vip] = link;
        Volatile.Write(ref _links, merged.ToFrozenDictionary());
    }
}
