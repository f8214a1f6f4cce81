using Prometheus;
using UserLvs.Failover;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// Health and failover state as the modules report it through <see cref="IStatusSource"/>:
/// userlvs_real_server_up{node_exporter's backend labels} 1 or 0 per server a nanny checks, and
/// userlvs_router_role{role} as a state set (1 for the current pulse role, 0 for the others), the
/// pattern node_exporter uses for systemd unit states. Nothing is shown until a source reports it;
/// a server or role no source reports any more disappears. When two sources report the same thing
/// the later one wins. A source that throws contributes nothing to that scrape (its series are left
/// out, never frozen at old values) and is counted in userlvs_status_source_errors_total: the scrape
/// itself must go on, and prometheus-net 8 would swallow the exception anyway.
/// </summary>
internal sealed class StatusMetrics
{
    private static readonly (RouterRole Role, string[] Labels)[] Roles = BuildRoles();

    private readonly TrackedGauge _up, _role;
    private readonly Counter _errors;
    private readonly List<RealServerHealth> _reported = [];

    public StatusMetrics(IMetricFactory factory)
    {
        _up = new(factory.CreateGauge("userlvs_real_server_up", "Whether the real server passes its health check (1) or not (0).", IpvsLabels.RealServerNames));
        _role = new(factory.CreateGauge("userlvs_router_role", "The router's failover role: 1 for the current one, 0 for the others.", ["role"]));
        _errors = factory.CreateCounter("userlvs_status_source_errors_total", "Scrapes in which a health or failover status source failed; its series were left out.");
    }

    public void Update(IReadOnlyList<IStatusSource> sources)
    {
        RouterRole? role = null;
        foreach (var source in sources)
        {
            RouterRole? reported;
            // Copied first, so a source that fails half-way through its list sets nothing.
            _reported.Clear();
            try
            {
                reported = source.Role;
                _reported.AddRange(source.RealServers);
            }
            catch (Exception)
            {
                _errors.Inc();
                continue;
            }
            if (reported is not null) role = reported;
            foreach (var server in _reported)
                _up.Set(IpvsLabels.ForRealServer(server.Service, server.Address, server.Port), server.Up ? 1 : 0);
        }
        if (role is { } current)
            foreach (var (value, labels) in Roles)
                _role.Set(labels, value == current ? 1 : 0);
        _up.Sweep();
        _role.Sweep();
    }

    private static (RouterRole, string[])[] BuildRoles()
    {
        var roles = Enum.GetValues<RouterRole>();
        var result = new (RouterRole, string[])[roles.Length];
        for (int i = 0; i < roles.Length; i++) result[i] = (roles[i], [roles[i].ToString().ToLowerInvariant()]);
        return result;
    }
}
