using UserLvs.Adm.Cli;
using UserLvs.Adm.Names;
using UserLvs.Scheduling;

namespace UserLvs.Adm.Output;

/// <summary>
/// ipvsadm 1.31's list_conn / print_conn (-L -c): the line "IPVS connection entries", the title
/// "pro expire %-11s %-18s %-18s %s" (state source virtual destination; two more columns, pe name and
/// pe_data, with --persistent-conn), then per connection "%-3s %-6s %-11s %-18s %-18s %s": protocol,
/// expiry as mm:ss (minutes not capped: 3600 s prints 60:00), state, and the three host:port names
/// (uncut, so long names push the next column right). Connections come in the daemon's order, as
/// ipvsadm prints /proc/net/ip_vs_conn's.
/// </summary>
internal sealed class ConnectionListFormatter(INameResolver names, TextWriter output)
{
    public void Write(IReadOnlyList<ConnectionInfo> connections, ListFormat format)
    {
        output.Write("IPVS connection entries\n");
        if ((format & ListFormat.PersistentConn) != 0)
            output.Write($"pro expire {"state",-11} {"source",-18} {"virtual",-18} {"destination",-18} {"pe name",-16} pe_data\n");
        else
            output.Write($"pro expire {"state",-11} {"source",-18} {"virtual",-18} destination\n");
        bool numeric = (format & ListFormat.Numeric) != 0;
        foreach (var c in connections)
        {
            string client = AddressNames.Format(names, c.ClientAddress, c.ClientPort, c.Protocol, numeric);
            string virtualName = AddressNames.Format(names, c.VirtualAddress, c.VirtualPort, c.Protocol, numeric);
            string destination = AddressNames.Format(names, c.DestinationAddress, c.DestinationPort, c.Protocol, numeric);
            string expires = $"{c.ExpiresSeconds / 60:00}:{c.ExpiresSeconds % 60:00}";
            output.Write($"{c.Protocol.ToIpvsName(),-3} {expires,-6} {c.State,-11} {client,-18} {virtualName,-18} {destination}\n");
        }
    }
}
