using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// Where <c>userlvsd --metrics ADDR:PORT</c> serves: a numeric IPv4 address (dotted quad, as lvs.cf
/// and ipvsadm write them), a bracketed IPv6 address, or nothing before the colon for every address
/// (node_exporter's <c>:9100</c>). Port 0 asks for a free port. Host names are refused: the listener
/// matches a request's Host header against the address it was given, so a name would bind one thing
/// and answer another.
/// </summary>
public readonly record struct MetricsAddress(IPAddress Address, int Port)
{
    private const string Example = "e.g. 127.0.0.1:9100, [::1]:9100 or :9100 for every address";

    /// <summary>Every address (0.0.0.0 or ::): the listener takes any Host header.</summary>
    public bool IsWildcard => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    /// <summary>The host part of an HttpListener prefix.</summary>
    internal string ListenerHost => IsWildcard ? "+"
        : Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString();

    public MetricsAddress WithPort(int port) => this with { Port = port };

    public static MetricsAddress Parse(string? text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    /// <summary>Parses ADDR:PORT; on failure <paramref name="error"/> says what is wrong in a sentence for the operator.</summary>
    public static bool TryParse(string? text, out MetricsAddress address, [NotNullWhen(false)] out string? error)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"--metrics needs ADDR:PORT ({Example})";
            return false;
        }
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"--metrics '{text}' is not ADDR:PORT ({Example})";
            return false;
        }
        string host = text[..colon];
        string port = text[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number > 65535)
        {
            error = $"--metrics '{text}': the port '{port}' is not a number from 0 to 65535";
            return false;
        }
        if (!TryParseHost(host, out var ip))
        {
            error = host.Contains(':') && !host.StartsWith('[')
                ? $"--metrics '{text}': write an IPv6 address in brackets, as [{host}]:{port}"
                : $"--metrics '{text}': '{host}' is not a numeric IPv4 or bracketed IPv6 address ({Example})";
            return false;
        }
        address = new MetricsAddress(ip, number);
        error = null;
        return true;
    }

    private static bool TryParseHost(string host, [NotNullWhen(true)] out IPAddress? ip)
    {
        ip = null;
        if (host.Length == 0)
        {
            ip = IPAddress.Any;
            return true;
        }
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
            return IPAddress.TryParse(host[1..^1], out ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.ScopeId == 0;
        // IPAddress.TryParse would take "10" or "1.2.3" as well; lvs.cf and ipvsadm want four parts.
        if (!IPv4Address.TryParse(host, out var v4)) return false;
        ip = v4.ToIPAddress();
        return true;
    }

    public override string ToString() =>
        Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
