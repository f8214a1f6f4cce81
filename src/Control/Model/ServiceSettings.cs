using System.Text.Json.Serialization;
using UserLvs.Scheduling;

namespace UserLvs.Control;

/// <summary>
/// Control protocol: the settings of a virtual service, what ipvsadm -A/-E sends and -L shows
/// (IPVS's ip_vs_service_user without fwmark, pe or one-packet, which UserLvs does not offer).
/// <see cref="PersistentTimeout"/> 0 means "not persistent" (IPVS: IP_VS_SVC_F_PERSISTENT unset);
/// <see cref="Netmask"/> is the persistence granularity, 255.255.255.255 when not given.
/// </summary>
public sealed record ServiceSettings(
    Protocol Protocol,
    string Address,
    ushort Port,
    string Scheduler,
    SchedulerFlags SchedulerFlags = SchedulerFlags.None,
    uint PersistentTimeout = 0,
    string Netmask = ServiceSettings.AllOnes)
{
    public const string AllOnes = "255.255.255.255";

    [JsonIgnore]
    public ServiceKey Key => new(Protocol, Address, Port);

    [JsonIgnore]
    public bool IsPersistent => PersistentTimeout != 0;
}
