namespace UserLvs.Forwarder.Connections;

/// <summary>
/// IPVS's TCP state table for LVS-NAT (tcp_states in ip_vs_proto_tcp.c, the INPUT and OUTPUT halves).
///
///   row  = direction (input: client to server, output: server to client) and the packet's flags,
///          read with IPVS's precedence rst > syn > fin > ack (tcp_state_idx)
///   next = table[row][current state]; a packet with none of the four flags moves to CLOSE
///
/// One array index per packet, no branches on the state. The INPUT-ONLY half (direct routing and
/// tunnelling, where replies bypass the director) and the secure_tcp table (tcp_states_dos) are not
/// used by NAT and are not carried.
/// </summary>
public static class TcpStateMachine
{
    // TCP header flag bits (byte 13 of the header), as the packet carries them.
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Ack = 0x10;

    private const byte NO = (byte)TcpState.None;
    private const byte ES = (byte)TcpState.Established;
    private const byte SS = (byte)TcpState.SynSent;
    private const byte SR = (byte)TcpState.SynRecv;
    private const byte FW = (byte)TcpState.FinWait;
    private const byte TW = (byte)TcpState.TimeWait;
    private const byte CL = (byte)TcpState.Close;
    private const byte CW = (byte)TcpState.CloseWait;
    private const byte LA = (byte)TcpState.LastAck;
    private const byte LI = (byte)TcpState.Listen;
    private const byte SA = (byte)TcpState.SynAck;

    // Rows: (direction * 4 + flag row); columns: the current state in TcpState order.
    private static ReadOnlySpan<byte> Next => new byte[]
    {
        //          NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA
        /* in  syn */ SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR,
        /* in  fin */ CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW,
        /* in  ack */ ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES,
        /* in  rst */ CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR,
        /* out syn */ SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR,
        /* out fin */ TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW,
        /* out ack */ ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES,
        /* out rst */ CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL,
    };

    /// <summary>The state after a packet with <paramref name="tcpFlags"/> travelling in <paramref name="direction"/>.</summary>
    public static TcpState Transition(TcpState current, ConnectionDirection direction, byte tcpFlags)
    {
        int row;
        if ((tcpFlags & Rst) != 0) row = 3;
        else if ((tcpFlags & Syn) != 0) row = 0;
        else if ((tcpFlags & Fin) != 0) row = 1;
        else if ((tcpFlags & Ack) != 0) row = 2;
        else return TcpState.Close;   // IPVS: no usable flag -> CLOSE
        return (TcpState)Next[((int)direction * 4 + row) * TcpStates.Count + (int)current];
    }
}
