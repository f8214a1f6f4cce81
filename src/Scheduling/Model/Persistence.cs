namespace UserLvs.Scheduling;

/// <summary>
/// Persistence of a virtual service (ipvsadm -p/-M, lvs.cf persistent/pmask): connections from one
/// client network (client address masked by <see cref="Netmask"/>) go to the same real server while a
/// template for it lives; the template expires <see cref="TimeoutSeconds"/> after its last connection.
/// </summary>
public readonly record struct Persistence(uint TimeoutSeconds, IPv4Address Netmask)
{
    /// <summary>
    /// ipvsadm's default when -p is given without a value: IPVS_SVC_PERSISTENT_TIMEOUT, 6*60 in
    /// ipvsadm 1.31's libipvs.h (its man page says 300; the code sends 360).
    /// </summary>
    public const uint DefaultTimeoutSeconds = 360;

    public static Persistence None => new(0, new IPv4Address(uint.MaxValue));

    public bool IsEnabled => TimeoutSeconds > 0;
}
