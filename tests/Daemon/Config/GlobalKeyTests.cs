using UserLvs.Daemon.Config;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>lvs.cf(5) global keys: each value as written, and Piranha's default when absent.</summary>
public class GlobalKeyTests
{
    private static readonly LvsConfig Defaults = Lvs.WithGlobal();

    [Fact]
    public void SerialNo_IsRead_DefaultIsZero()
    {
        Assert.Equal(2025010101L, Lvs.WithGlobal("serial_no = 2025010101").SerialNumber);
        Assert.Equal(0L, Defaults.SerialNumber);
    }

    [Fact]
    public void Primary_IsRead_AndPrimaryPrivateDefaultsToIt()
    {
        var config = Lvs.WithGlobal("primary = 192.0.2.1");
        Assert.Equal(IPv4Address.Parse("192.0.2.1"), config.Primary);
        Assert.Equal(IPv4Address.Parse("192.0.2.1"), config.PrimaryPrivate);
        Assert.Null(Defaults.Primary);
    }

    [Fact]
    public void PrimaryPrivate_IsRead()
    {
        var config = Lvs.WithGlobal("primary = 192.0.2.1", "primary_private = 10.0.0.2");
        Assert.Equal(IPv4Address.Parse("10.0.0.2"), config.PrimaryPrivate);
    }

    [Fact]
    public void Backup_IsRead_AndBackupPrivateDefaultsToIt()
    {
        var config = Lvs.WithGlobal("backup = 192.0.2.2");
        Assert.Equal(IPv4Address.Parse("192.0.2.2"), config.Backup);
        Assert.Equal(IPv4Address.Parse("192.0.2.2"), config.BackupPrivate);
        Assert.Null(Defaults.Backup);
    }

    [Fact]
    public void Backup_ZeroAddress_MeansNoBackup()
    {
        Assert.Null(Lvs.WithGlobal("backup = 0.0.0.0").Backup);
    }

    [Fact]
    public void BackupPrivate_IsRead()
    {
        Assert.Equal(IPv4Address.Parse("10.0.0.3"), Lvs.WithGlobal("backup = 192.0.2.2", "backup_private = 10.0.0.3").BackupPrivate);
    }

    [Fact]
    public void BackupActive_IsRead_DefaultIsOff()
    {
        Assert.True(Lvs.WithGlobal("backup = 192.0.2.2", "backup_active = 1").BackupActive);
        Assert.False(Defaults.BackupActive);
    }

    [Fact]
    public void Service_Lvs_IsAccepted()
    {
        Assert.Single(Lvs.WithGlobal("service = lvs").VirtualServers);
    }

    [Fact]
    public void Heartbeat_IsRead_DefaultIsOff()
    {
        Assert.True(Lvs.WithGlobal("heartbeat = 1", "primary = 192.0.2.1").Heartbeat);
        Assert.False(Defaults.Heartbeat);
    }

    [Fact]
    public void HeartbeatPort_IsRead_DefaultIs539()
    {
        Assert.Equal((ushort)1539, Lvs.WithGlobal("heartbeat_port = 1539").HeartbeatPort);
        Assert.Equal((ushort)539, Defaults.HeartbeatPort);
    }

    [Fact]
    public void KeepaliveAndDeadtime_DefaultsArePiranhas2And5Seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Defaults.KeepAlive);
        Assert.Equal(TimeSpan.FromSeconds(5), Defaults.DeadTime);
    }

    [Fact]
    public void Network_Nat_IsRead_AndIsTheDefault()
    {
        Assert.Equal(LvsNetwork.Nat, Lvs.WithGlobal("network = nat").Network);
        Assert.Equal(LvsNetwork.Nat, Defaults.Network);
    }

    [Fact]
    public void NatRouter_IsAddressAndDevice_ItsBaseDeviceIsThePrivateInterface()
    {
        var config = Lvs.Load(Lvs.Lines(["nat_router = 10.0.0.1 eth1:1", .. Lvs.WebVirtual]));
        Assert.Equal(new InterfaceAddress(IPv4Address.Parse("10.0.0.1"), "eth1:1"), config.NatRouter);
        Assert.Equal("eth1", config.PrivateInterface);
    }

    [Fact]
    public void NatNmask_IsRead_DefaultIsAllOnes()
    {
        Assert.Equal(IPv4Address.Parse("255.255.255.0"), Lvs.WithGlobal("nat_nmask = 255.255.255.0").NatNetmask);
        Assert.Equal(IPv4Address.Parse("255.255.255.255"), Defaults.NatNetmask);
    }

    [Fact]
    public void SyncDaemon_IsRead_DefaultIsOff()
    {
        Assert.True(Lvs.WithGlobal("syncdaemon = 1").SyncDaemon);
        Assert.False(Defaults.SyncDaemon);
    }

    [Fact]
    public void SyncdIfaceAndId_AreRead_DefaultsAreNoneAndZero()
    {
        var config = Lvs.WithGlobal("syncd_iface = eth2", "syncd_id = 7");
        Assert.Equal("eth2", config.SyncInterface);
        Assert.Equal((byte)7, config.SyncId);
        Assert.Null(Defaults.SyncInterface);
        Assert.Equal((byte)0, Defaults.SyncId);
    }

    [Fact]
    public void Timeouts_AreRead_DefaultZeroKeepsIpvsDefaults()
    {
        var config = Lvs.WithGlobal("tcp_timeout = 900", "tcpfin_timeout = 120", "udp_timeout = 300");
        Assert.Equal((900u, 120u, 300u), (config.TcpTimeout, config.TcpFinTimeout, config.UdpTimeout));
        Assert.Equal((0u, 0u, 0u), (Defaults.TcpTimeout, Defaults.TcpFinTimeout, Defaults.UdpTimeout));
    }

    [Fact]
    public void ActiveAndInactiveCmd_AreReadWithoutQuotes_DefaultIsNone()
    {
        var config = Lvs.WithGlobal("active_cmd = \"/usr/sbin/notify active now\"", "inactive_cmd = /usr/sbin/standby");
        Assert.Equal("/usr/sbin/notify active now", config.ActiveCommand);
        Assert.Equal("/usr/sbin/standby", config.InactiveCommand);
        Assert.Null(Defaults.ActiveCommand);
        Assert.Null(Defaults.InactiveCommand);
    }

    [Fact]
    public void HardShutdown_IsRead_DefaultIsOn()
    {
        Assert.False(Lvs.WithGlobal("hard_shutdown = 0").HardShutdown);
        Assert.True(Defaults.HardShutdown);
    }

    [Theory]
    [InlineData("NONE", LvsDebugLevel.None)]
    [InlineData("LOW", LvsDebugLevel.Low)]
    [InlineData("MEDIUM", LvsDebugLevel.Medium)]
    [InlineData("high", LvsDebugLevel.High)]
    public void DebugLevel_IsRead_CaseInsensitively(string text, LvsDebugLevel expected)
    {
        Assert.Equal(expected, Lvs.WithGlobal($"debug_level = {text}").DebugLevel);
    }

    [Fact]
    public void DebugLevel_DefaultIsNone()
    {
        Assert.Equal(LvsDebugLevel.None, Defaults.DebugLevel);
    }

    [Fact]
    public void HeartbeatKeyFile_IsResolvedFromTheConfigDirectory_DefaultIsNone()
    {
        var config = Lvs.Load(Lvs.Lines(["heartbeat_key_file = keys/hb.key", "nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual]), "/etc/userlvs");
        Assert.Equal("/etc/userlvs/keys/hb.key", config.HeartbeatKeyFile);
        Assert.Null(Defaults.HeartbeatKeyFile);
    }

    [Fact]
    public void PiranhaOnlyKeys_AreAcceptedWithAWarning()
    {
        var text = Lvs.Lines(["monitor_links = 0", "rsh_command = ssh", "nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual]);
        Assert.Single(Lvs.Load(text).VirtualServers);
        Assert.Equal(
            ["lvs.cf:1: warning: 'monitor_links' is ignored: userlvsd does not check link states",
             "lvs.cf:2: warning: 'rsh_command' is ignored: userlvsd does not synchronise files"],
            Lvs.Warnings(text));
    }
}
