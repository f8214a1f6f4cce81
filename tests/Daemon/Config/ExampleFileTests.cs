using System.Runtime.CompilerServices;
using UserLvs.Daemon.Config;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>lab/lvs.cf.example is a real, loadable configuration for the lab topology.</summary>
public sealed class ExampleFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ulvs-example-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string ExamplePath([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../../lab/lvs.cf.example"));

    /// <summary>The example beside the heartbeat key it names, as a user would set it up.</summary>
    private LvsConfig LoadExample(out IReadOnlyList<ConfigError> diagnostics)
    {
        string copy = Path.Combine(_directory, "lvs.cf");
        File.Copy(ExamplePath(), copy);
        string key = Path.Combine(_directory, "heartbeat.key");
        File.WriteAllBytes(key, new byte[32]);
        Lvs.SetMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.True(ConfigLoader.TryLoad(copy, out var config, out diagnostics), string.Join("\n", diagnostics));
        return config!;
    }

    [Fact]
    public void Example_Loads_WithoutErrorsOrWarnings()
    {
        LoadExample(out var diagnostics);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Example_DescribesTheLab()
    {
        var config = LoadExample(out _);
        Assert.Equal((IPv4Address.Parse("192.0.2.1"), IPv4Address.Parse("192.0.2.2")), (config.Primary!.Value, config.Backup!.Value));
        Assert.Equal(["pub0"], config.PublicInterfaces);
        Assert.Equal("priv0", config.PrivateInterface);
        Assert.Equal(IPv4Address.Parse("10.0.0.1"), config.NatRouter!.Value.Address);
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)), (config.KeepAlive, config.DeadTime));
        Assert.True(config.HasRouterPair);
        Assert.Equal((IPv4Address.Parse("10.0.0.2"), IPv4Address.Parse("10.0.0.3")), (config.PrimaryPrivate!.Value, config.BackupPrivate!.Value));
        Assert.True(config.SyncDaemon);
        Assert.Equal((5, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)), (config.GratuitousArpCount, config.GratuitousArpInterval, config.FailbackDelay));

        var table = config.ToDesiredTable();
        Assert.Equal(["TCP 192.0.2.10:80", "UDP 192.0.2.10:5353"], table.Select(t => t.Config.Key.ToString()));
        Assert.Equal(["10.0.0.13:80 weight 2", "10.0.0.12:80 weight 1", "10.0.0.11:80 weight 1"], table[0].Servers.Select(s => s.ToString()));
        Assert.Equal(["10.0.0.12:5353 weight 1", "10.0.0.11:5353 weight 1"], table[1].Servers.Select(s => s.ToString()));
        Assert.Equal(new Persistence(60, IPv4Address.Parse("255.255.255.0")), table[1].Config.Persistence);
        Assert.Equal(@"GET / HTTP/1.0\r\n\r\n", config.VirtualServers[0].Send);
    }
}
