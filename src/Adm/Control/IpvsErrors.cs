using UserLvs.Scheduling;

namespace UserLvs.Adm.Control;

/// <summary>
/// ipvs_strerror for UserLvs: the text ipvsadm 1.31 prints for a failed control operation. libipvs
/// picks the text from (operation, errno): the same ESRCH reads "No such service" for -E/-D/-Z but
/// "Service not defined" for -a/-e/-d. The kernel errno behind each <see cref="TableResult"/>:
/// ServiceExists/DestinationExists = EEXIST, NoSuchService = ESRCH, NoSuchDestination and
/// SchedulerNotFound = ENOENT, InvalidArgument = EINVAL. ipvsadm then exits with status 255 (-1).
/// </summary>
public static class IpvsErrors
{
    /// <summary>The operation that failed, as libipvs tells them apart (its ipvs_func).</summary>
    public enum Operation
    {
        AddService,
        EditService,
        DeleteService,
        ZeroService,
        AddServer,
        EditServer,
        DeleteServer,
        SetTimeouts,
        Clear,
        GetService,
    }

    /// <summary>strerror(ERANGE): the kernel's answer to a weight below 0 or a lower threshold above the upper one.</summary>
    public const string OutOfRange = "Numerical result out of range";

    public const string InvalidOperation = "Invalid operation.  Possibly wrong module version, address not unicast, ...";

    public static string Message(Operation operation, TableResult result) => (operation, result) switch
    {
        (Operation.AddService, TableResult.ServiceExists) => "Service already exists",
        (Operation.AddService or Operation.EditService, TableResult.SchedulerNotFound) => "Scheduler or persistence engine not found",
        (Operation.EditService or Operation.DeleteService or Operation.ZeroService or Operation.GetService, TableResult.NoSuchService) => "No such service",
        (Operation.AddServer or Operation.EditServer or Operation.DeleteServer, TableResult.NoSuchService) => "Service not defined",
        (Operation.AddServer, TableResult.DestinationExists) => "Destination already exists",
        (Operation.EditServer or Operation.DeleteServer, TableResult.NoSuchDestination) => "No such destination",
        (_, TableResult.InvalidArgument) => InvalidOperation,
        // What is left has no entry of its own in libipvs's table: it falls back to strerror(errno).
        (_, TableResult.ServiceExists or TableResult.DestinationExists) => "File exists",
        (_, TableResult.NoSuchService) => "No such process",
        (_, TableResult.NoSuchDestination or TableResult.SchedulerNotFound) => "No such file or directory",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "not a failure"),
    };
}
