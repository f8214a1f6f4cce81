namespace UserLvs.Forwarder.Connections;

/// <summary>
/// IPVS's TCP connection states (IP_VS_TCP_S_* in ip_vs_proto_tcp.c), in IPVS's order: the values index
/// the state table (<see cref="TcpStateMachine"/>) and the timeout table (<see cref="IpvsTimeouts"/>).
/// UDP connections keep <see cref="None"/> and are listed as "UDP", as IPVS lists its one UDP state.
/// </summary>
public enum TcpState : byte
{
    None,
    Established,
    SynSent,
    SynRecv,
    FinWait,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    SynAck,
}

public static class TcpStates
{
    /// <summary>How many TCP states there are (IP_VS_TCP_S_LAST).</summary>
    public const int Count = 11;

    /// <summary>The name ipvsadm -L -c prints for a UDP connection (IPVS's IP_VS_UDP_S_NORMAL).</summary>
    public const string UdpStateName = "UDP";

    /// <summary>The name ipvsadm -L -c prints (tcp_state_name_table); literals, so listing allocates nothing per entry.</summary>
    public static string ToIpvsName(this TcpState state) => state switch
    {
        TcpState.None => "NONE",
        TcpState.Established => "ESTABLISHED",
        TcpState.SynSent => "SYN_SENT",
        TcpState.SynRecv => "SYN_RECV",
        TcpState.FinWait => "FIN_WAIT",
        TcpState.TimeWait => "TIME_WAIT",
        TcpState.Close => "CLOSE",
        TcpState.CloseWait => "CLOSE_WAIT",
        TcpState.LastAck => "LAST_ACK",
        TcpState.Listen => "LISTEN",
        TcpState.SynAck => "SYNACK",
        _ => "ERR!",
    };

    /// <summary>
    /// Whether a connection in this state counts as an active connection of its real server
    /// (tcp_state_active_table). Since Linux 4.8 ("ipvs: count pre-established TCP states as active")
    /// the handshake states count too, so lc/wlc see half-open connections as load; every other state
    /// counts as inactive.
    /// </summary>
    public static bool CountsAsActive(this TcpState state) =>
        state is TcpState.Established or TcpState.SynSent or TcpState.SynRecv or TcpState.SynAck;
}
