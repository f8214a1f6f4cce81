using UserLvs.Scheduling;

namespace UserLvs.Control;

/// <summary>
/// Control protocol: the settings of a real server, what ipvsadm -a/-e sends (IPVS's ip_vs_dest_user):
/// address and port, forwarding method, weight (0..65535, 0 = quiesced) and the connection thresholds
/// (-x upper, -y lower; 0 = none).
/// </summary>
public sealed record ServerSettings(
    string Address,
    ushort Port,
    ForwardingMethod ForwardingMethod = ForwardingMethod.Masquerade,
    int Weight = 1,
    uint UpperThreshold = 0,
    uint LowerThreshold = 0);
