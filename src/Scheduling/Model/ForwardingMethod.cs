namespace UserLvs.Scheduling;

/// <summary>How packets reach a real server (ipvsadm -m, -g, -i). UserLvs forwards Masq (NAT) today.</summary>
public enum ForwardingMethod : byte
{
    /// <summary>NAT: destination rewritten to the real server, replies rewritten back (ipvsadm -m, "Masq").</summary>
    Masquerade,
    /// <summary>Direct routing (ipvsadm -g, "Route"); ipvsadm's default when no method is given.</summary>
    DirectRoute,
    /// <summary>IP-in-IP tunnelling (ipvsadm -i, "Tunnel").</summary>
    Tunnel,
}
