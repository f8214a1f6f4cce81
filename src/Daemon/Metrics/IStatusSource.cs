using UserLvs.Failover;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Metrics;

/// <summary>
/// What a health (nanny) or failover (pulse) module tells the metrics endpoint, read at scrape time.
/// Every member defaults to "not reported", so a module implements only what it knows and the
/// series stay absent until one does (absent, not 0: 0 would claim a server is down or a router is
/// not active). Members are read from the scraper's thread: return a consistent copy, cheaply.
/// </summary>
public interface IStatusSource
{
    /// <summary>This router's pulse role, or null when this source does not know it.</summary>
    RouterRole? Role => null;

    /// <summary>
    /// Every real server this source checks, including those it has taken out of the table (a
    /// failing server nanny removed is exactly the one whose 0 matters).
    /// </summary>
    IReadOnlyCollection<RealServerHealth> RealServers => Array.Empty<RealServerHealth>();

    /// <summary>How many times nanny took each real server out (Down) and put it back (Up) since it started.</summary>
    IReadOnlyCollection<RealServerTransitions> Transitions => Array.Empty<RealServerTransitions>();

    /// <summary>pulse's counters (role changes, heartbeat datagrams refused by reason), or null when this source has none.</summary>
    FailoverCounters? Failover => null;
}

/// <summary>Role changes since the daemon started, and pulse datagrams refused (forged, replayed, ...) by reason.</summary>
public sealed record FailoverCounters(long Transitions, IReadOnlyDictionary<string, long> Rejected);

/// <summary>One nanny verdict: the real server ADDRESS:PORT of SERVICE passes its check (Up) or not.</summary>
public readonly record struct RealServerHealth(VirtualServiceKey Service, IPv4Address Address, ushort Port, bool Up);

/// <summary>Nanny's state changes of one real server so far: taken out (<see cref="Down"/>) and put back (<see cref="Up"/>).</summary>
public readonly record struct RealServerTransitions(VirtualServiceKey Service, IPv4Address Address, ushort Port, long Down, long Up);
