using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace UserLvs.Scheduling;

/// <summary>
/// One immutable version of the service table. Workers read <see cref="ServiceTable.Current"/> once
/// per batch and look services up here: a frozen hash lookup on a struct key, no lock, no allocation.
/// </summary>
public sealed class ServiceTableSnapshot
{
    public static ServiceTableSnapshot Empty { get; } = new([], 0);

    private readonly FrozenDictionary<VirtualServiceKey, VirtualService> _byKey;

    internal ServiceTableSnapshot(IReadOnlyList<VirtualService> services, long generation)
    {
        Services = services;
        Generation = generation;
        _byKey = services.ToFrozenDictionary(s => s.Key);
        VirtualAddresses = services.Select(s => s.Key.Address).ToFrozenSet();
    }

    /// <summary>Every VIP of the table: the addresses the router answers ARP for and owns traffic to.</summary>
    public FrozenSet<IPv4Address> VirtualAddresses { get; }

    /// <summary>The services in the order they were added (ipvsadm sorts them itself when it lists).</summary>
    public IReadOnlyList<VirtualService> Services { get; }

    /// <summary>Increases by one with every published change.</summary>
    public long Generation { get; }

    public int Count => Services.Count;

    public bool TryGetService(in VirtualServiceKey key, [MaybeNullWhen(false)] out VirtualService service) =>
        _byKey.TryGetValue(key, out service);

    public VirtualService? Find(in VirtualServiceKey key) => _byKey.GetValueOrDefault(key);
}
