using UserLvs.Scheduling;

namespace UserLvs.Health;

/// <summary>
/// The only ways nanny changes the data plane, as ipvsadm commands: -d (remove a real server: no new
/// connections, established ones finish), -e -w (set its weight, 0 = quiesce), -a (add it back, or
/// add the sorry server). Results are IPVS's; nanny logs a failure and carries on.
/// </summary>
public interface INannyActions
{
    TableResult Add(VirtualServiceKey service, RealServer server);

    TableResult Remove(VirtualServiceKey service, IPv4Address address, ushort port);

    TableResult SetWeight(VirtualServiceKey service, IPv4Address address, ushort port, int weight);
}

/// <summary><see cref="INannyActions"/> on the live <see cref="ServiceTable"/>: each call is one published change.</summary>
public sealed class ServiceTableActions(ServiceTable table) : INannyActions
{
    public TableResult Add(VirtualServiceKey service, RealServer server) => table.AddRealServer(service, server);

    public TableResult Remove(VirtualServiceKey service, IPv4Address address, ushort port) =>
        table.DeleteRealServer(service, address, port);

    /// <summary>ipvsadm -e with only the weight changed: thresholds and method stay as the table has them.</summary>
    public TableResult SetWeight(VirtualServiceKey service, IPv4Address address, ushort port, int weight)
    {
        var current = table.Current.Find(service)?.FindRealServer(address, port);
        if (current is null) return table.Current.Find(service) is null ? TableResult.NoSuchService : TableResult.NoSuchDestination;
        return table.EditRealServer(service, address, port, weight, current.UpperThreshold, current.LowerThreshold, current.ForwardingMethod);
    }
}
