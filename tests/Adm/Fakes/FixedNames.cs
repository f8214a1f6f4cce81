using UserLvs.Adm.Names;

namespace UserLvs.Adm.Tests.Fakes;

/// <summary>A fixed hosts and services table, so listings without -n are the same on every machine.</summary>
internal sealed class FixedNames : INameResolver
{
    public static FixedNames Default { get; } = new(
        hosts: [("192.0.2.10", "www.example.com"), ("10.0.0.1", "web1"), ("10.0.0.2", "web2"),
            ("10.0.0.3", "a-real-server-with-a-rather-long-host-name.example.com"),
            ("203.0.113.7", "client.example.net"),
            ("192.0.2.11", "a-very-long-virtual-service-name.example.com")],
        services: [(80, "tcp", "http"), (80, "tcp", "www"), (443, "tcp", "https"), (53, "udp", "domain"), (53, "tcp", "domain")]);

    private readonly (string Address, string Name)[] _hosts;
    private readonly (int Port, string Protocol, string Name)[] _services;

    public FixedNames((string, string)[] hosts, (int, string, string)[] services)
    {
        _hosts = hosts;
        _services = services;
    }

    public IPv4Address? HostAddress(string name) =>
        _hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) is { Address: not null } h
            ? IPv4Address.Parse(h.Address) : null;

    public string? HostName(IPv4Address address) =>
        _hosts.FirstOrDefault(h => h.Address == address.ToString()).Name;

    public int? ServicePort(string name, Protocol? protocol) =>
        protocol is { } p && _services.FirstOrDefault(s => s.Name == name && s.Protocol == Proto(p)) is { Name: not null } s
            ? s.Port : null;

    public string? ServiceName(ushort port, Protocol protocol) =>
        _services.FirstOrDefault(s => s.Port == port && s.Protocol == Proto(protocol)).Name;

    private static string Proto(Protocol p) => p == Protocol.Udp ? "udp" : "tcp";
}
