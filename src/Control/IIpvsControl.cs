using UserLvs.Scheduling;

namespace UserLvs.Control;

/// <summary>
/// What userlvs-adm asks of the daemon: the operations of IPVS's control interface (libipvs:
/// ipvs_add_service ... ipvs_get_timeout), one call per ipvsadm command. The daemon answers with the
/// service table's own <see cref="TableResult"/>; userlvs-adm turns a failure into ipvsadm's text
/// (<see cref="IpvsErrors"/>). A transport failure (no daemon, broken socket) is reported by throwing
/// <see cref="ControlUnavailableException"/>.
/// </summary>
public interface IIpvsControl
{
    /// <summary>ipvsadm -A.</summary>
    TableResult AddService(ServiceSettings service);

    /// <summary>ipvsadm -E: every setting is replaced (ipvsadm sends the whole service).</summary>
    TableResult EditService(ServiceSettings service);

    /// <summary>ipvsadm -D.</summary>
    TableResult DeleteService(ServiceKey service);

    /// <summary>ipvsadm -C.</summary>
    TableResult Clear();

    /// <summary>ipvsadm -Z: the statistics of one service and its servers, or of all when null.</summary>
    TableResult Zero(ServiceKey? service);

    /// <summary>ipvsadm -a.</summary>
    TableResult AddServer(ServiceKey service, ServerSettings server);

    /// <summary>ipvsadm -e: every setting is replaced (ipvsadm sends the whole server).</summary>
    TableResult EditServer(ServiceKey service, ServerSettings server);

    /// <summary>ipvsadm -d.</summary>
    TableResult DeleteServer(ServiceKey service, string address, ushort port);

    /// <summary>ipvsadm --set tcp tcpfin udp; a 0 keeps that value.</summary>
    TableResult SetTimeouts(Timeouts timeouts);

    /// <summary>ipvsadm -L / -S: every service with its servers and statistics.</summary>
    ServiceTableInfo GetServices();

    /// <summary>ipvsadm -L -t/-u: one service, or null when there is none (IPVS: ESRCH).</summary>
    ServiceInfo? GetService(ServiceKey service);

    /// <summary>ipvsadm -L -c.</summary>
    IReadOnlyList<ConnectionInfo> GetConnections();

    /// <summary>ipvsadm -L --timeout.</summary>
    Timeouts GetTimeouts();

    /// <summary>userlvs-adm --status (not ipvsadm's): failover role, peer, sync and health checks.</summary>
    RouterStatus GetStatus();
}
