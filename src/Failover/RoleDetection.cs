using UserLvs.Scheduling;

namespace UserLvs.Failover;

/// <summary>
/// Finds this router's role the way pulse does: both routers run the same lvs.cf, and a router is
/// the primary when one of its own addresses is <c>primary</c>, the backup when one is <c>backup</c>.
/// A host that holds neither (or both) cannot take part in failover. --force-active does not change
/// which router this is; it gives it the better right to be active (see <see cref="RoleAssignment"/>).
/// </summary>
public static class RoleDetection
{
    /// <summary>
    /// Returns the assignment, or null with <paramref name="error"/> saying why this host cannot be
    /// either router. <paramref name="primaryPrivate"/>/<paramref name="backupPrivate"/> may be null
    /// or equal to the public address (the lvs.cf loader's default): then there is no private network.
    /// </summary>
    public static RoleAssignment? Detect(
        IReadOnlyCollection<IPv4Address> ownAddresses,
        IPv4Address primary,
        IPv4Address? primaryPrivate,
        IPv4Address? backup,
        IPv4Address? backupPrivate,
        bool forceActive,
        out string? error)
    {
        ArgumentNullException.ThrowIfNull(ownAddresses);
        error = null;
        if (backup is not { } backupAddress || backupAddress == IPv4Address.Any)
        {
            error = "no backup router is set (backup = 0.0.0.0); failover needs two routers";
            return null;
        }
        if (primary == backupAddress)
        {
            error = $"primary and backup are the same address ({primary})";
            return null;
        }
        bool isPrimary = ownAddresses.Contains(primary);
        bool isBackup = ownAddresses.Contains(backupAddress);
        if (isPrimary && isBackup)
        {
            error = $"this host has both the primary ({primary}) and the backup ({backupAddress}) address";
            return null;
        }
        if (!isPrimary && !isBackup)
        {
            error = $"this host is neither the primary ({primary}) nor the backup ({backupAddress}): none of its addresses matches";
            return null;
        }

        IPv4Address? selfPrivate = null, peerPrivate = null;
        bool primaryHasPrivate = primaryPrivate is { } pp && pp != primary && pp != IPv4Address.Any;
        bool backupHasPrivate = backupPrivate is { } bp && bp != backupAddress && bp != IPv4Address.Any;
        if (primaryHasPrivate && backupHasPrivate)
        {
            selfPrivate = isPrimary ? primaryPrivate : backupPrivate;
            peerPrivate = isPrimary ? backupPrivate : primaryPrivate;
            if (!ownAddresses.Contains(selfPrivate!.Value))
            {
                error = $"this host is the {(isPrimary ? "primary" : "backup")} but does not have its private address {selfPrivate}";
                return null;
            }
        }

        return isPrimary
            ? new RoleAssignment(ConfiguredRole.Primary, forceActive, primary, backupAddress, selfPrivate, peerPrivate)
            : new RoleAssignment(ConfiguredRole.Backup, forceActive, backupAddress, primary, selfPrivate, peerPrivate);
    }
}
