using System.Net;
using System.Net.Sockets;
using UserLvs.Adm.Names;
using UserLvs.Scheduling;

namespace UserLvs.Adm.Cli;

/// <summary>
/// ipvsadm's parse_service for -t, -u and -r ("host[:port]") and parse_netmask for -M:
///   - a word of digits only is refused (a bare port is not an address);
///   - "[v6]:port" and plain IPv6 are recognised (and then refused by UserLvs, which is IPv4-only);
///   - the port follows the last ':' and is a number 0..65535 or a service name of the protocol
///     known at that moment (so "-r host:http" before "-t" finds no name, as in ipvsadm);
///   - the host is an inet_aton address or a host name (<see cref="INameResolver"/>).
/// The quirk of "[1.2.3.4]:80" is kept: the brackets hide the port, so only the address is taken.
/// </summary>
internal static class ServiceAddress
{
    [Flags]
    public enum Parsed
    {
        None = 0,
        Address = 1,
        Port = 2,
    }

    public readonly record struct Result(Parsed Parts, uint Address, ushort Port, bool IsIPv6);

    public static Result Parse(string text, Protocol? protocol, INameResolver names)
    {
        if (text.All(char.IsAsciiDigit)) return default;
        string host = text;
        string? port = null;
        bool bracketed = false;
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']');
            if (close < 0 || close + 1 >= host.Length || host[close + 1] != ':') return default;
            port = host[(close + 2)..];
            host = host[1..close];
            bracketed = true;
        }
        if (host.Contains(':') && IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            return new(Parsed.Address | (port is null ? Parsed.None : Parsed.Port), 0, 0, IsIPv6: true);
        if (bracketed)
        {
            port = null; // ipvsadm cut the word at ']' and looks for the port in what is left: there is none
        }
        else
        {
            int colon = host.LastIndexOf(':');
            if (colon >= 0)
            {
                port = host[(colon + 1)..];
                host = host[..colon];
            }
        }
        if (!TryHost(host, names, out uint address)) return default;
        if (port is null) return new(Parsed.Address, address, 0, false);
        long number = CNumbers.StringToNumber(port, 0, 65535);
        if (number < 0) number = names.ServicePort(port, protocol) ?? -1;
        if (number < 0) return default;
        return new(Parsed.Address | Parsed.Port, address, (ushort)number, false);
    }

    /// <summary>ipvsadm's parse_netmask: an inet_aton address or a host name; null when neither.</summary>
    public static uint? ParseNetmask(string text, INameResolver names) =>
        TryHost(text, names, out uint mask) ? mask : null;

    private static bool TryHost(string host, INameResolver names, out uint address)
    {
        if (CNumbers.TryInetAton(host, out address)) return true;
        if (host.Length > 0 && names.HostAddress(host) is { } resolved)
        {
            address = resolved.Value;
            return true;
        }
        return false;
    }
}
