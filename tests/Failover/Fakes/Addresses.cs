using UserLvs.Scheduling;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>The lab's addresses: public 10.0.0.0/24, private 192.168.100.0/24.</summary>
public static class Addresses
{
    public static readonly IPv4Address PrimaryPublic = IPv4Address.Parse("10.0.0.1");
    public static readonly IPv4Address BackupPublic = IPv4Address.Parse("10.0.0.2");
    public static readonly IPv4Address PrimaryPrivate = IPv4Address.Parse("192.168.100.1");
    public static readonly IPv4Address BackupPrivate = IPv4Address.Parse("192.168.100.2");
    public static readonly byte[] Key = "correct horse battery staple\n"u8.ToArray();

    public static RoleAssignment Primary(bool forceActive = false, bool privateNetwork = true) =>
        new(ConfiguredRole.Primary, forceActive, PrimaryPublic, BackupPublic,
            privateNetwork ? PrimaryPrivate : null, privateNetwork ? BackupPrivate : null);

    public static RoleAssignment Backup(bool forceActive = false, bool privateNetwork = true) =>
        new(ConfiguredRole.Backup, forceActive, BackupPublic, PrimaryPublic,
            privateNetwork ? BackupPrivate : null, privateNetwork ? PrimaryPrivate : null);

    /// <summary>keepalive 0.01, deadtime 0.03: the failover target.</summary>
    public static PulseSettings Settings(RoleAssignment roles, byte[]? key = null) => new()
    {
        Roles = roles,
        KeepAlive = TimeSpan.FromMilliseconds(10),
        DeadTime = TimeSpan.FromMilliseconds(30),
        Key = key ?? Key,
    };
}
