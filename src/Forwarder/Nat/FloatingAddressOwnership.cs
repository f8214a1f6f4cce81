namespace UserLvs.Forwarder.Nat;

/// <summary>
/// Whether this router currently holds the floating addresses (every VIP and the NAT router address):
/// pulse's active/standby switch as the data plane sees it. One object shared by every worker; pulse
/// flips it, each engine reads it once per batch (one volatile load), so a flip takes effect within
/// one batch on every worker, never halfway through a frame.
///
///   owned (active)   forward VIP traffic, answer ARP for the VIPs (and for the NAT router address
///                    when the engine answers it in userspace), export connection sync records
///   not owned        VIP frames and real servers' replies of known connections are dropped and counted
///                    (<see cref="DropReason.Standby"/>): the active router forwards them, and a second
///                    copy from here would duplicate segments; no ARP answers for floating addresses;
///                    neighbours are still learned; no connection is created; synced connections are
///                    imported and held, ready for the takeover
///
/// Owned by default, so a single router (no pulse) behaves as it always did.
/// </summary>
public sealed class FloatingAddressOwnership
{
    private volatile bool _owned;

    public FloatingAddressOwnership(bool owned = true) => _owned = owned;

    /// <summary>True while this router is the active one.</summary>
    public bool IsOwned => _owned;

    /// <summary>Takes the floating addresses over (becoming active); announce them with gratuitous ARP after this.</summary>
    public void Acquire() => _owned = true;

    /// <summary>Gives the floating addresses up (becoming standby): from the next batch on nothing is forwarded or answered.</summary>
    public void Release() => _owned = false;
}
