using UserLvs.Adm.Names;

namespace UserLvs.Adm.Tests.Names;

/// <summary>Names from hosts and services files as glibc's "files" source answers: first line wins, aliases count, comments and IPv6 lines ignored.</summary>
public sealed class FilesNameResolverTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ulvs-adm-names").FullName;

    private FilesNameResolver Resolver(string hosts, string? services)
    {
        File.WriteAllText(Path.Combine(_directory, "hosts"), hosts);
        if (services is not null) File.WriteAllText(Path.Combine(_directory, "services"), services);
        return new FilesNameResolver(Path.Combine(_directory, "hosts"), Path.Combine(_directory, "services"));
    }

    [Fact]
    public void Hosts_FirstLineWins_NamesAndAliasesResolve_CaseInsensitively()
    {
        var names = Resolver("# comment\n::1 localhost6\n192.0.2.10\tvip vip-alias # the VIP\n192.0.2.10 second\n10.0.0.1 web1\n", "");
        Assert.Equal("vip", names.HostName(IPv4Address.Parse("192.0.2.10")));
        Assert.Equal(IPv4Address.Parse("192.0.2.10"), names.HostAddress("VIP-ALIAS"));
        Assert.Equal(IPv4Address.Parse("192.0.2.10"), names.HostAddress("second"));
        Assert.Null(names.HostName(IPv4Address.Parse("192.0.2.11")));
        Assert.Null(names.HostAddress("localhost6"));
    }

    [Fact]
    public void Services_ByNameAndAlias_PerProtocol()
    {
        var names = Resolver("", "http\t80/tcp www # WWW\nhttps 443/tcp\ndomain 53/udp\nsyslog 514/udp\nshell 514/tcp cmd\n");
        Assert.Equal(80, names.ServicePort("www", Protocol.Tcp));
        Assert.Null(names.ServicePort("http", Protocol.Udp));
        Assert.Null(names.ServicePort("http", null));
        Assert.Equal("syslog", names.ServiceName(514, Protocol.Udp));
        Assert.Equal("shell", names.ServiceName(514, Protocol.Tcp));
        Assert.Null(names.ServiceName(8080, Protocol.Tcp));
    }

    [Fact]
    public void WithoutAServicesFile_TheCommonNamesStillResolve()
    {
        var names = Resolver("", services: null);
        Assert.Equal(80, names.ServicePort("http", Protocol.Tcp));
        Assert.Equal(443, names.ServicePort("https", Protocol.Tcp));
        Assert.Equal("domain", names.ServiceName(53, Protocol.Udp));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
