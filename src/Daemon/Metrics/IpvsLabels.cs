using System.Globalization;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// node_exporter's IPVS label set (collector/ipvs_linux.go over procfs's /proc/net/ip_vs parser):
/// local_address, local_port, proto ("TCP"/"UDP", as /proc/net/ip_vs prints it), local_mark (the
/// fwmark in hex, "" for a TCP/UDP service), remote_address, remote_port. The names are listed in
/// the order node_exporter's output shows them (client_golang sorts label pairs by name), so a line
/// from userlvsd reads the same as one from node_exporter on a kernel IPVS router.
/// </summary>
internal static class IpvsLabels
{
    public static readonly string[] ServiceNames = ["local_address", "local_mark", "local_port", "proto"];

    public static readonly string[] RealServerNames = ["local_address", "local_mark", "local_port", "proto", "remote_address", "remote_port"];

    // No fwmark services exist here (Protocol is TCP or UDP), so local_mark is always empty.
    private const string NoMark = "";

    public static string[] ForService(in VirtualServiceKey service) =>
        [service.Address.ToString(), NoMark, Port(service.Port), service.Protocol.ToIpvsName()];

    public static string[] ForRealServer(in VirtualServiceKey service, IPv4Address address, ushort port) =>
        [service.Address.ToString(), NoMark, Port(service.Port), service.Protocol.ToIpvsName(), address.ToString(), Port(port)];

    private static string Port(ushort port) => port.ToString(CultureInfo.InvariantCulture);
}
