using UserLvs.Failover.Tests.Fakes;
using UserLvs.Scheduling;
using static UserLvs.Failover.Tests.Fakes.Addresses;

namespace UserLvs.Failover.Tests;

public class RoleDetectionTests
{
    private static readonly IPv4Address Other = IPv4Address.Parse("10.0.0.9");

    private static RoleAssignment? Detect(IPv4Address[] own, out string? error, bool force = false, bool withPrivate = true) =>
        RoleDetection.Detect(own, PrimaryPublic, withPrivate ? PrimaryPrivate : PrimaryPublic, BackupPublic, withPrivate ? BackupPrivate : BackupPublic, force, out error);

    [Fact]
    public void HostWithThePrimaryAddress_IsPrimary_PeerIsTheBackup()
    {
        var roles = Detect([Other, PrimaryPublic, PrimaryPrivate], out var error);
        Assert.Null(error);
        Assert.Equal(Addresses.Primary(), roles);
    }

    [Fact]
    public void HostWithTheBackupAddress_IsBackup_PeerIsThePrimary()
    {
        var roles = Detect([BackupPublic, BackupPrivate], out _);
        Assert.Equal(Addresses.Backup(), roles);
    }

    [Fact]
    public void ForceActive_IsCarried_RoleUnchanged()
    {
        var roles = Detect([BackupPublic, BackupPrivate], out _, force: true);
        Assert.Equal(ConfiguredRole.Backup, roles!.Role);
        Assert.True(roles.ForceActive);
    }

    [Fact]
    public void HostWithNeither_IsAnError()
    {
        Assert.Null(Detect([Other], out var error));
        Assert.Equal("this host is neither the primary (10.0.0.1) nor the backup (10.0.0.2): none of its addresses matches", error);
    }

    [Fact]
    public void HostWithBoth_IsAnError()
    {
        Assert.Null(Detect([PrimaryPublic, BackupPublic], out var error));
        Assert.Equal("this host has both the primary (10.0.0.1) and the backup (10.0.0.2) address", error);
    }

    [Fact]
    public void NoBackup_IsAnError()
    {
        Assert.Null(RoleDetection.Detect([PrimaryPublic], PrimaryPublic, null, IPv4Address.Any, null, false, out var error));
        Assert.Equal("no backup router is set (backup = 0.0.0.0); failover needs two routers", error);
    }

    [Fact]
    public void PrivateAddressesEqualToPublic_NoPrivateNetwork()
    {
        var roles = Detect([PrimaryPublic], out _, withPrivate: false);
        Assert.False(roles!.HasPrivateNetwork);
    }

    [Fact]
    public void OnlyOnePrivateAddress_NoPrivateNetwork()
    {
        var roles = RoleDetection.Detect([PrimaryPublic, PrimaryPrivate], PrimaryPublic, PrimaryPrivate, BackupPublic, BackupPublic, false, out _);
        Assert.False(roles!.HasPrivateNetwork);
    }

    [Fact]
    public void OwnPrivateAddressMissing_IsAnError()
    {
        Assert.Null(Detect([PrimaryPublic], out var error));
        Assert.Equal("this host is the primary but does not have its private address 192.168.100.1", error);
    }
}
