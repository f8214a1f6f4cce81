using UserLvs.Scheduling;

namespace UserLvs.Failover;

/// <summary>
/// Who this router is and where its peer is, as <see cref="RoleDetection"/> found it from lvs.cf and
/// the host's own addresses. The private network exists only when both routers have a
/// _private address different from their public one.
/// </summary>
public sealed record RoleAssignment(
    ConfiguredRole Role,
    bool ForceActive,
    IPv4Address SelfPublic,
    IPv4Address PeerPublic,
    IPv4Address? SelfPrivate = null,
    IPv4Address? PeerPrivate = null)
{
    public bool HasPrivateNetwork => SelfPrivate is not null && PeerPrivate is not null;

    /// <summary>
    /// The right to be active, highest first: --force-active, then being the primary. Exactly one of
    /// the two routers is the primary, so two routers never hold the same right.
    /// </summary>
    internal static int Rank(bool isPrimary, bool forceActive) => (forceActive ? 2 : 0) + (isPrimary ? 1 : 0);
}
