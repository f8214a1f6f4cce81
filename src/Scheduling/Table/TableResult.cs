namespace UserLvs.Scheduling;

/// <summary>The outcome of a change to the service table; the failures are the ones IPVS reports.</summary>
public enum TableResult
{
    Ok,
    /// <summary>IPVS: "Service already exists" (EEXIST on add).</summary>
    ServiceExists,
    /// <summary>IPVS: "No such service" (ESRCH).</summary>
    NoSuchService,
    /// <summary>IPVS: "Destination already exists" (EEXIST on add-dest).</summary>
    DestinationExists,
    /// <summary>IPVS: "No such destination" (ENOENT on edit/delete-dest).</summary>
    NoSuchDestination,
    /// <summary>IPVS: "Scheduler not found" (ENOENT).</summary>
    SchedulerNotFound,
    /// <summary>An argument IPVS refuses with EINVAL (for example a lower threshold above the upper one).</summary>
    InvalidArgument,
}
