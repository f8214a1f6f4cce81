using UserLvs.Scheduling;

namespace UserLvs.Adm.Names;

/// <summary>
/// Names from /etc/hosts and /etc/services only, never DNS: the answers glibc's "files" source gives
/// (first matching line wins, host names compared without case, service names with case). A listing
/// without -n thus never waits on a resolver, and a name that only DNS knows prints as its address.
/// When /etc/services is missing, a small table of well-known ports stands in for it.
/// </summary>
public sealed class FilesNameResolver : INameResolver
{
    private const string WellKnownServices = """
        ftp 21/tcp
        ssh 22/tcp
        telnet 23/tcp
        smtp 25/tcp mail
        domain 53/tcp
        domain 53/udp
        http 80/tcp www
        pop3 110/tcp pop-3
        ntp 123/udp
        imap2 143/tcp imap
        snmp 161/udp
        ldap 389/tcp
        https 443/tcp
        https 443/udp
        submission 587/tcp
        imaps 993/tcp
        pop3s 995/tcp
        mysql 3306/tcp
        postgresql 5432/tcp postgres
        http-alt 8080/tcp webcache
        """;

    private readonly Lazy<List<(IPv4Address Address, string[] Names)>> _hosts;
    private readonly Lazy<List<(string[] Names, int Port, string Protocol)>> _services;

    public FilesNameResolver(string hostsPath = "/etc/hosts", string servicesPath = "/etc/services")
    {
        _hosts = new(() => ReadHosts(hostsPath));
        _services = new(() => ReadServices(File.Exists(servicesPath) ? File.ReadAllText(servicesPath) : WellKnownServices));
    }

    public IPv4Address? HostAddress(string name)
    {
        foreach (var (address, names) in _hosts.Value)
            foreach (var candidate in names)
                if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase)) return address;
        return null;
    }

    public string? HostName(IPv4Address address)
    {
        foreach (var (candidate, names) in _hosts.Value)
            if (candidate == address) return names[0];
        return null;
    }

    public int? ServicePort(string name, Protocol? protocol)
    {
        if (protocol is not { } p) return null;
        string wanted = ProtocolName(p);
        foreach (var (names, port, proto) in _services.Value)
            if (proto == wanted && Array.IndexOf(names, name) >= 0) return port;
        return null;
    }

    public string? ServiceName(ushort port, Protocol protocol)
    {
        string wanted = ProtocolName(protocol);
        foreach (var (names, candidate, proto) in _services.Value)
            if (candidate == port && proto == wanted) return names[0];
        return null;
    }

    private static string ProtocolName(Protocol protocol) => protocol == Protocol.Udp ? "udp" : "tcp";

    private static string[] Fields(string line)
    {
        int hash = line.IndexOf('#');
        if (hash >= 0) line = line[..hash];
        return line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
    }

    private static List<(IPv4Address, string[])> ReadHosts(string path)
    {
        var hosts = new List<(IPv4Address, string[])>();
        if (!File.Exists(path)) return hosts;
        foreach (var line in File.ReadLines(path))
        {
            var fields = Fields(line);
            // IPv6 lines (::1 localhost) are skipped: UserLvs lists IPv4 addresses only.
            if (fields.Length >= 2 && IPv4Address.TryParse(fields[0], out var address))
                hosts.Add((address, fields[1..]));
        }
        return hosts;
    }

    private static List<(string[], int, string)> ReadServices(string text)
    {
        var services = new List<(string[], int, string)>();
        foreach (var line in text.Split('\n'))
        {
            var fields = Fields(line);
            if (fields.Length < 2) continue;
            int slash = fields[1].IndexOf('/');
            if (slash <= 0 || !int.TryParse(fields[1].AsSpan(0, slash), out int port) || port is < 0 or > 65535) continue;
            string[] names = [fields[0], .. fields[2..]];
            services.Add((names, port, fields[1][(slash + 1)..]));
        }
        return services;
    }
}
