using UserLvs.Forwarder.Connections;
using static UserLvs.Forwarder.Tests.Connections.ConnectionKit;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>IPVS's tcp_states (ip_vs_proto_tcp.c), the NAT halves, and its flag precedence rst > syn > fin > ack.</summary>
public class TcpStateMachineTests
{
    [Theory]
    // client to server
    [InlineData(TcpState.None, ConnectionDirection.Input, Syn, TcpState.SynRecv)]
    [InlineData(TcpState.SynRecv, ConnectionDirection.Input, Ack, TcpState.Established)]
    [InlineData(TcpState.Established, ConnectionDirection.Input, FinAck, TcpState.CloseWait)]
    [InlineData(TcpState.FinWait, ConnectionDirection.Input, FinAck, TcpState.TimeWait)]
    [InlineData(TcpState.LastAck, ConnectionDirection.Input, Ack, TcpState.Close)]
    [InlineData(TcpState.SynRecv, ConnectionDirection.Input, Rst, TcpState.SynRecv)]
    [InlineData(TcpState.LastAck, ConnectionDirection.Input, Rst, TcpState.LastAck)]
    [InlineData(TcpState.SynAck, ConnectionDirection.Input, Rst, TcpState.SynRecv)]
    [InlineData(TcpState.TimeWait, ConnectionDirection.Input, Syn, TcpState.SynRecv)]
    // server to client
    [InlineData(TcpState.SynRecv, ConnectionDirection.Output, SynAck, TcpState.SynRecv)]
    [InlineData(TcpState.None, ConnectionDirection.Output, Syn, TcpState.SynSent)]
    [InlineData(TcpState.Established, ConnectionDirection.Output, FinAck, TcpState.FinWait)]
    [InlineData(TcpState.CloseWait, ConnectionDirection.Output, FinAck, TcpState.TimeWait)]
    [InlineData(TcpState.Listen, ConnectionDirection.Output, Ack, TcpState.Established)]
    [InlineData(TcpState.TimeWait, ConnectionDirection.Output, Rst, TcpState.TimeWait)]
    [InlineData(TcpState.SynSent, ConnectionDirection.Output, Rst, TcpState.SynSent)]
    [InlineData(TcpState.Established, ConnectionDirection.Output, Rst, TcpState.Close)]
    public void Transition_FollowsIpvsTable(TcpState from, ConnectionDirection direction, byte flags, TcpState expected) =>
        Assert.Equal(expected, TcpStateMachine.Transition(from, direction, flags));

    [Fact]
    public void Transition_RstOutranksSynFinAndAck()
    {
        const byte all = TcpStateMachine.Rst | TcpStateMachine.Syn | TcpStateMachine.Fin | TcpStateMachine.Ack;
        Assert.Equal(TcpState.Close, TcpStateMachine.Transition(TcpState.Established, ConnectionDirection.Input, all));
    }

    [Fact]
    public void Transition_SynOutranksFin_AndFinOutranksAck()
    {
        // Established + input SYN stays Established (syn row); with FIN but no SYN it is the fin row.
        Assert.Equal(TcpState.Established,
            TcpStateMachine.Transition(TcpState.Established, ConnectionDirection.Input, TcpStateMachine.Syn | TcpStateMachine.Fin));
        Assert.Equal(TcpState.CloseWait, TcpStateMachine.Transition(TcpState.Established, ConnectionDirection.Input, FinAck));
    }

    [Fact]
    public void Transition_WithNoUsableFlag_GoesToClose()
    {
        const byte pshOnly = 0x08;
        Assert.Equal(TcpState.Close, TcpStateMachine.Transition(TcpState.Established, ConnectionDirection.Input, pshOnly));
    }

    [Fact]
    public void StateNames_AreIpvsNames()
    {
        string[] expected = ["NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK"];
        for (int s = 0; s < TcpStates.Count; s++) Assert.Equal(expected[s], ((TcpState)s).ToIpvsName());
    }

    [Fact]
    public void ActiveStates_AreTheHandshakeAndEstablished_AsSinceLinux48()
    {
        var active = Enumerable.Range(0, TcpStates.Count).Select(s => (TcpState)s).Where(s => s.CountsAsActive());
        Assert.Equal([TcpState.Established, TcpState.SynSent, TcpState.SynRecv, TcpState.SynAck], active);
    }
}
