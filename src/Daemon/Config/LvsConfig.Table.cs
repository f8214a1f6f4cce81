using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

/// <summary>
/// From an lvs.cf to what the router runs: the desired service table and the interfaces to open.
///
///   for each virtual with active = 1, in file order:
///     service  = (protocol, VIP, port), scheduler, persistence (persistent, pmask) or none
///     servers  = its servers with active = 1, NAT (Masq), their weights, in REVERSE file order
///
/// Reverse order because Piranha's lvs adds servers one by one with <c>ipvsadm -a</c> and IPVS puts
/// each new destination at the head of the list (list_add): the server written first ends up last,
/// and order matters to rr, wrr, fo, ovf and to tie-breaking in lc/wlc/sed/nq. Cost: O(servers),
/// once per load or reload; ServiceTable.Replace keeps unchanged servers and their counters.
/// </summary>
public sealed partial record LvsConfig
{
    /// <summary>The desired table for <see cref="ServiceTable.Replace"/>: active virtuals and their active servers.</summary>
    public IReadOnlyList<(VirtualServiceConfig Config, IReadOnlyList<RealServer> Servers)> ToDesiredTable()
    {
        var table = new List<(VirtualServiceConfig, IReadOnlyList<RealServer>)>(VirtualServers.Count);
        foreach (var virtualServer in VirtualServers)
        {
            if (!virtualServer.Active) continue;
            var persistence = virtualServer.Persistent > 0
                ? new Persistence(virtualServer.Persistent, virtualServer.PersistenceNetmask)
                : Persistence.None;
            var config = new VirtualServiceConfig(virtualServer.Key, virtualServer.Scheduler, SchedulerFlags.None, persistence);
            var servers = new List<RealServer>(virtualServer.RealServers.Count);
            for (int i = virtualServer.RealServers.Count - 1; i >= 0; i--)
            {
                var server = virtualServer.RealServers[i];
                if (server.Active)
                    servers.Add(new RealServer(server.Address, server.Port, server.Weight, forwardingMethod: ForwardingMethod.Masquerade));
            }
            table.Add((config, servers.AsReadOnly()));
        }
        return table.AsReadOnly();
    }

    /// <summary>
    /// The public interfaces: the base devices of every virtual's VIP device (eth0:1 -> eth0),
    /// active or not, so that a reload that activates a virtual needs no new interface. Distinct, in
    /// order of first appearance.
    /// </summary>
    public IReadOnlyList<string> PublicInterfaces
    {
        get
        {
            var names = new List<string>();
            foreach (var virtualServer in VirtualServers)
                if (!names.Contains(virtualServer.Address.BaseDevice, StringComparer.Ordinal))
                    names.Add(virtualServer.Address.BaseDevice);
            return names.AsReadOnly();
        }
    }

    /// <summary>The private interface: nat_router's base device (eth1:1 -> eth1), or null without nat_router.</summary>
    public string? PrivateInterface => NatRouter?.BaseDevice;
}
