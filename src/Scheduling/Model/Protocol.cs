namespace UserLvs.Scheduling;

/// <summary>The transport protocols a virtual service can balance; values are the IP protocol numbers.</summary>
public enum Protocol : byte
{
    Tcp = 6,
    Udp = 17,
}

public static class ProtocolNames
{
    /// <summary>The name ipvsadm prints in its service lines ("TCP", "UDP").</summary>
    public static string ToIpvsName(this Protocol protocol) => protocol switch
    {
        Protocol.Tcp => "TCP",
        Protocol.Udp => "UDP",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };
}
