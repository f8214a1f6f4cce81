using UserLvs.Daemon.Config;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>
/// keepalive/deadtime (fractions of a second, deadtime must exceed keepalive when heartbeats run),
/// the primary/backup pair, and the new heartbeat_key_file.
/// </summary>
public sealed class HeartbeatTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ulvs-cfg-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string[] Global(params string[] lines) => [.. lines, "nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual];

    [Theory]
    [InlineData("0.01", 10_0000L)]
    [InlineData("0.5", 500_0000L)]
    [InlineData("2", 2_000_0000L)]
    [InlineData("1.000001", 1_000_0010L)]
    public void Keepalive_AcceptsFractionsOfASecond(string text, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), Lvs.WithGlobal($"keepalive = {text}", "deadtime = 30").KeepAlive);
    }

    [Fact]
    public void Deadtime_AcceptsFractionsOfASecond()
    {
        var config = Lvs.WithGlobal("keepalive = 0.01", "deadtime = 0.05");
        Assert.Equal(TimeSpan.FromMilliseconds(10), config.KeepAlive);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.DeadTime);
    }

    [Theory]
    [InlineData("2", "2")]
    [InlineData("2", "1.5")]
    [InlineData("0.05", "0.01")]
    public void DeadtimeNotAboveKeepalive_WithHeartbeat_IsAnError(string keepalive, string deadtime)
    {
        var errors = Lvs.Errors(Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1", $"keepalive = {keepalive}", $"deadtime = {deadtime}")));
        Assert.Equal([$"lvs.cf:4: deadtime ({deadtime}s) must be longer than keepalive ({keepalive}s): " +
            "the backup would declare the active router dead between two heartbeats"], errors);
    }

    [Fact]
    public void DeadtimeNotAboveKeepalive_WithoutHeartbeat_IsOnlyAWarning()
    {
        var text = Lvs.Lines(Global("keepalive = 6"));
        Assert.Equal(TimeSpan.FromSeconds(6), Lvs.Load(text).KeepAlive);
        Assert.Contains("lvs.cf:1: warning: deadtime (5s) must be longer than keepalive (6s): " +
            "the backup would declare the active router dead between two heartbeats", Lvs.Warnings(text));
    }

    [Fact]
    public void DeadtimeBelowTwoKeepalives_IsAWarning()
    {
        var text = Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1", "keepalive = 2", "deadtime = 3"));
        Assert.Contains("lvs.cf:4: warning: deadtime (3s) is less than twice keepalive (2s): one lost heartbeat causes a failover", Lvs.Warnings(text));
    }

    [Fact]
    public void Heartbeat_NeedsPrimary()
    {
        Assert.Equal(["lvs.cf:1: heartbeat = 1 needs 'primary', the primary router's public address"],
            Lvs.Errors(Lvs.Lines(Global("heartbeat = 1"))));
    }

    [Theory]
    [InlineData("backup = 0.0.0.0")]
    [InlineData("# no backup")]
    public void BackupActiveWithoutBackup_IsClearedAsPulseDoes_WithAWarning(string backupLine)
    {
        var text = Lvs.Lines(Global("primary = 192.0.2.1", "backup_active = 1", backupLine));
        Assert.False(Lvs.Load(text).BackupActive);
        Assert.Contains("lvs.cf:2: warning: backup_active = 1 but no 'backup' router is defined: ignored, as pulse does", Lvs.Warnings(text));
    }

    [Fact]
    public void BackupEqualToPrimary_IsAnError()
    {
        Assert.Equal(["lvs.cf:2: 'backup' must differ from 'primary' (192.0.2.1)"],
            Lvs.Errors(Lvs.Lines(Global("primary = 192.0.2.1", "backup = 192.0.2.1"))));
    }

    [Fact]
    public void HeartbeatWithoutKeyFile_IsAWarning()
    {
        Assert.Contains("lvs.cf:1: warning: heartbeat = 1 without 'heartbeat_key_file': heartbeats are not authenticated",
            Lvs.Warnings(Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1"))));
    }

    [Fact]
    public void HeartbeatWithABackupButNoKeyFile_IsAnError_ForUnauthenticatedHeartbeatsCouldFenceTheActiveRouter()
    {
        Assert.Equal(["lvs.cf:1: heartbeat = 1 with a backup router needs 'heartbeat_key_file': userlvsd authenticates every heartbeat (HMAC-SHA256)"],
            Lvs.Errors(Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1", "backup = 192.0.2.2"))));
    }

    [Fact]
    public void GratuitousArp_DefaultsToFiveRounds50msApart_AndBothAreSettable()
    {
        var defaults = Lvs.Load(Lvs.Lines(Global("primary = 192.0.2.1")));
        Assert.Equal((5, TimeSpan.FromMilliseconds(50)), (defaults.GratuitousArpCount, defaults.GratuitousArpInterval));
        var set = Lvs.Load(Lvs.Lines(Global("primary = 192.0.2.1", "garp_count = 3", "garp_interval = 0.2")));
        Assert.Equal((3, TimeSpan.FromMilliseconds(200)), (set.GratuitousArpCount, set.GratuitousArpInterval));
        Assert.Equal(["lvs.cf:2: 'garp_count' must be an integer from 1 to 100, not '0'"],
            Lvs.Errors(Lvs.Lines(Global("primary = 192.0.2.1", "garp_count = 0"))));
    }

    [Theory]
    [InlineData("heartbeat = 1", "backup_active = 1", true)]
    [InlineData("heartbeat = 1", "backup_active = 0", false)]   // Piranha: the backup takes no part; the primary runs alone
    [InlineData("heartbeat = 0", "backup_active = 1", false)]
    public void RouterPair_NeedsHeartbeatABackupAndBackupActive(string heartbeat, string backupActive, bool pair)
    {
        File.WriteAllText(Path.Combine(_directory, "hb.key"), "secret");
        File.SetUnixFileMode(Path.Combine(_directory, "hb.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = Lvs.Load(Lvs.Lines(Global(heartbeat, "primary = 192.0.2.1", "backup = 192.0.2.2", backupActive, "heartbeat_key_file = hb.key")), _directory);
        Assert.Equal(pair, config.HasRouterPair);
    }

    [Fact]
    public void FailbackDelay_IsOneSecondWithConnectionSync_ZeroWithout_AndSettable()
    {
        Assert.Equal(TimeSpan.Zero, Lvs.Load(Lvs.Lines(Global("primary = 192.0.2.1"))).FailbackDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), Lvs.Load(Lvs.Lines(Global("primary = 192.0.2.1", "syncdaemon = 1"))).FailbackDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Lvs.Load(Lvs.Lines(Global("primary = 192.0.2.1", "syncdaemon = 1", "failback_delay = 0.25"))).FailbackDelay);
    }

    [Fact]
    public void KeyFile_Missing_IsAnErrorWhenHeartbeatIsOn()
    {
        Assert.Equal(["lvs.cf:3: heartbeat_key_file 'hb.key' does not exist"],
            Lvs.Errors(Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1", "heartbeat_key_file = hb.key")), _directory));
    }

    [Fact]
    public void KeyFile_Missing_IsNotCheckedWhenHeartbeatIsOff()
    {
        Assert.Equal(Path.Combine(_directory, "hb.key"),
            Lvs.Load(Lvs.Lines(Global("heartbeat_key_file = hb.key")), _directory).HeartbeatKeyFile);
    }

    [Fact]
    public void KeyFile_EmptyOrADirectory_IsAnError()
    {
        File.WriteAllBytes(Path.Combine(_directory, "empty.key"), []);
        Directory.CreateDirectory(Path.Combine(_directory, "keys"));
        Assert.Equal(["lvs.cf:3: heartbeat_key_file 'empty.key' is empty"],
            Lvs.Errors(Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1", "heartbeat_key_file = empty.key")), _directory));
        Assert.Equal(["lvs.cf:3: heartbeat_key_file 'keys' is a directory, not a file"],
            Lvs.Errors(Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1", "heartbeat_key_file = keys")), _directory));
    }

    [Fact]
    public void KeyFile_Present_IsAccepted_AndASharedOneIsWarnedAbout()
    {
        string key = Path.Combine(_directory, "hb.key");
        File.WriteAllBytes(key, new byte[32]);
        Lvs.SetMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var text = Lvs.Lines(Global("heartbeat = 1", "primary = 192.0.2.1", $"heartbeat_key_file = {key}"));
        Assert.Equal(key, Lvs.Load(text).HeartbeatKeyFile);
        Assert.Empty(Lvs.Warnings(text));

        Lvs.SetMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Equal([$"lvs.cf:3: warning: heartbeat_key_file '{key}' can be read or written by group or others; make it mode 0600"], Lvs.Warnings(text));
    }
}
