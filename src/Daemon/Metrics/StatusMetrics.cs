using Prometheus;
using UserLvs.Failover;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// Health and failover state as the modules report it through <see cref="IStatusSource"/>:
/// userlvs_real_server_up{node_exporter's backend labels} 1 or 0 per server a nanny checks,
/// userlvs_nanny_transitions_total{backend labels, to="down"|"up"} per server nanny checks, and
/// userlvs_router_role{role} as a state set (1 for the current pulse role, 0 for the others), the
/// pattern node_exporter uses for systemd unit states; userlvs_router_role_transitions_total and
/// userlvs_pulse_messages_rejected_total{reason} count pulse's role changes and the heartbeat
/// datagrams it refused (bad_mac, replayed, ...). Nothing is shown until a source reports it;
/// a server or role no source reports any more disappears. When two sources report the same thing
/// the later one wins. A source that throws contributes nothing to that scrape (its series are left
/// out, never frozen at old values) and is counted in userlvs_status_source_errors_total: the scrape
/// itself must go on, and prometheus-net 8 would swallow the exception anyway.
/// </summary>
internal sealed class StatusMetrics
{
    private static readonly (RouterRole Role, string[] Labels)[] Roles = BuildRoles();

    private readonly TrackedGauge _up, _role;
    private readonly TrackedCounter _transitions, _roleTransitions, _rejected;
    private readonly Counter _errors;
    private readonly List<RealServerHealth> _reported = [];
    private readonly List<RealServerTransitions> _changes = [];

    public StatusMetrics(IMetricFactory factory)
    {
        _up = new(factory.CreateGauge("userlvs_real_server_up", "Whether the real server passes its health check (1) or not (0).", IpvsLabels.RealServerNames));
        _role = new(factory.CreateGauge("userlvs_router_role", "The router's failover role: 1 for the current one, 0 for the others.", ["role"]));
        _transitions = new(factory.CreateCounter("userlvs_nanny_transitions_total",
            "Times nanny took the real server out of its service (to=\"down\") or put it back (to=\"up\").", [.. IpvsLabels.RealServerNames, "to"]));
        _roleTransitions = new(factory.CreateCounter("userlvs_router_role_transitions_total", "Times this router's failover role changed.", ["router"]));
        _rejected = new(factory.CreateCounter("userlvs_pulse_messages_rejected_total",
            "Heartbeat datagrams pulse refused, by reason (bad_mac: forged or wrong key, replayed, stale_boot, ...).", ["reason"]));
        _errors = factory.CreateCounter("userlvs_status_source_errors_total", "Scrapes in which a health or failover status source failed; its series were left out.");
    }

    public void Update(IReadOnlyList<IStatusSource> sources)
    {
        RouterRole? role = null;
        foreach (var source in sources)
        {
            RouterRole? reported;
            FailoverCounters? failover;
            // Copied first, so a source that fails half-way through its list sets nothing.
            _reported.Clear();
            _changes.Clear();
            try
            {
                reported = source.Role;
                failover = source.Failover;
                _reported.AddRange(source.RealServers);
                _changes.AddRange(source.Transitions);
            }
            catch (Exception)
            {
                _errors.Inc();
                continue;
            }
            if (reported is not null) role = reported;
            if (failover is not null)
            {
                _roleTransitions.Set(["this"], failover.Transitions);
                foreach (var (reason, count) in failover.Rejected) _rejected.Set([reason], count);
            }
            foreach (var server in _reported)
                _up.Set(IpvsLabels.ForRealServer(server.Service, server.Address, server.Port), server.Up ? 1 : 0);
            foreach (var change in _changes)
            {
                string[] labels = IpvsLabels.ForRealServer(change.Service, change.Address, change.Port);
                _transitions.Set([.. labels, "down"], change.Down);
                _transitions.Set([.. labels, "up"], change.Up);
            }
        }
        if (role is { } current)
            foreach (var (value, labels) in Roles)
                _role.Set(labels, value == current ? 1 : 0);
        _up.Sweep();
        _transitions.Sweep();
        _roleTransitions.Sweep();
        _rejected.Sweep();
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
