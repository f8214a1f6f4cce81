namespace UserLvs.Scheduling;

/// <summary>
/// One LVS scheduling algorithm bound to one snapshot of one virtual service's real servers
/// (IPVS's ip_vs_scheduler with its per-service sched_data). A scheduler does its heavy work in its
/// constructor, when the table changes, so that <see cref="Pick"/> is O(1) or O(log n), never locks,
/// never allocates and never throws.
/// </summary>
public interface IScheduler
{
    /// <summary>The IPVS name (rr, wlc, sh, ...).</summary>
    string Name { get; }

    /// <summary>
    /// Chooses the real server for a new connection, or null when none is available (every server
    /// quiesced or overloaded; IPVS logs "no destination available" and drops the packet).
    /// </summary>
    RealServer? Pick(in SchedulingRequest request);
}

/// <summary>What a scheduler may look at for a new connection: the client and the virtual address it asked for.</summary>
public readonly record struct SchedulingRequest(
    IPv4Address ClientAddress,
    ushort ClientPort,
    IPv4Address VirtualAddress,
    ushort VirtualPort);
