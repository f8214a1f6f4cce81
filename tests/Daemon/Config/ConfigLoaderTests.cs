using UserLvs.Daemon.Config;

namespace UserLvs.Daemon.Tests.Config;

/// <summary>ConfigLoader.TryLoad on real files: whole-file failures, and all-or-nothing results.</summary>
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ulvs-load-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void MissingFile_IsOneErrorNamingTheFile()
    {
        string path = Path.Combine(_directory, "nope.cf");
        Assert.False(ConfigLoader.TryLoad(path, out var config, out var errors));
        Assert.Null(config);
        Assert.Equal([$"{path}: no such file"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Directory_IsRefused()
    {
        Assert.False(ConfigLoader.TryLoad(_directory, out _, out var errors));
        Assert.Equal([$"{_directory}: is a directory, not an lvs.cf file"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void OversizedFile_IsRefused()
    {
        string path = Path.Combine(_directory, "big.cf");
        File.WriteAllText(path, new string('#', (int)ConfigLoader.MaxFileBytes + 1));
        Assert.False(ConfigLoader.TryLoad(path, out _, out var errors));
        Assert.Equal([$"{path}: is larger than 1048576 bytes; that is not an lvs.cf"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void FileWithOneError_YieldsNoConfigAtAll()
    {
        string path = Path.Combine(_directory, "lvs.cf");
        File.WriteAllText(path, Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual, "virtual bad {", "    port = 80", "}"]));
        Assert.False(ConfigLoader.TryLoad(path, out var config, out var errors));
        Assert.Null(config);
        Assert.Equal([$"{path}:11: virtual 'bad' has no 'address'"], errors.Where(e => !e.IsWarning).Select(e => e.ToString()));
    }

    [Fact]
    public void CrLfFiles_AndTrailingComments_AreRead()
    {
        string path = Path.Combine(_directory, "lvs.cf");
        File.WriteAllText(path, string.Join("\r\n", ["nat_router = 10.0.0.1 eth1   # gateway", .. Lvs.WebVirtual]) + "\r\n");
        Assert.True(ConfigLoader.TryLoad(path, out var config, out var errors), string.Join("\n", errors));
        Assert.Equal("eth1", config.PrivateInterface);
        Assert.Equal(path, config.File);
    }

    [Fact]
    public void EmptyFile_LoadsWithAWarning()
    {
        string path = Path.Combine(_directory, "empty.cf");
        File.WriteAllText(path, "# nothing yet\n");
        Assert.True(ConfigLoader.TryLoad(path, out var config, out var errors));
        Assert.Empty(config.VirtualServers);
        Assert.Equal([$"{path}: warning: no virtual servers are defined"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void KeyEqualsValue_WithoutBlanks_IsRead()
    {
        var config = Lvs.Load(Lvs.Lines(["serial_no=7", "nat_router=10.0.0.1 eth1", .. Lvs.WebVirtual]));
        Assert.Equal(7, config.SerialNumber);
    }
}
