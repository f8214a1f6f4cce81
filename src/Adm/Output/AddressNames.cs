using UserLvs.Adm.Names;
using UserLvs.Scheduling;

namespace UserLvs.Adm.Output;

/// <summary>
/// ipvsadm's addrport_to_anyname: "address:port" with -n; otherwise "host:service" where each part
/// falls back to its number when no name is known (gethostbyaddr, getservbyport), cut to 59
/// characters as ipvsadm's 60-byte buffer cuts it. Listings cut further (33 and 28 columns).
/// </summary>
internal static class AddressNames
{
    private const int BufferLength = 59;

    public static string Format(INameResolver names, string address, ushort port, Protocol protocol, bool numeric)
    {
        bool parsed = IPv4Address.TryParse(address, out var ip);
        string dotted = parsed ? ip.ToString() : address;
        if (numeric) return Cut($"{dotted}:{port}", BufferLength);
        string host = (parsed ? names.HostName(ip) : null) ?? dotted;
        string service = names.ServiceName(port, protocol) ?? port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Cut($"{host}:{service}", BufferLength);
    }

    public static string Cut(string text, int length) => text.Length > length ? text[..length] : text;

    /// <summary>An address of the protocol as a host-order number, for sorting (0 when unreadable).</summary>
    public static uint Value(string address) => IPv4Address.TryParse(address, out var ip) ? ip.Value : 0;
}
