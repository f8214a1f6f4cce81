using System.Collections.Frozen;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// Which public link each VIP lives on (lvs.cf's `address = VIP DEVICE`): where its ARP is answered,
/// where its traffic is accepted, and where replies of its connections leave. Replaced whole on a
/// reload; read per packet without a lock. A VIP not listed belongs to link 0.
/// </summary>
public sealed class VipLinks
{
    private FrozenDictionary<IPv4Address, int> _links = FrozenDictionary<IPv4Address, int>.Empty;

    public int LinkOf(IPv4Address vip) => Volatile.Read(ref _links).TryGetValue(vip, out int link) ? link : 0;

    public void Set(IReadOnlyDictionary<IPv4Address, int> links) => Volatile.Write(ref _links, links.ToFrozenDictionary());
}
