using UserLvs.Forwarder.Connections;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>IPVS's default timeouts and `ipvsadm --set tcp tcpfin udp`.</summary>
public class IpvsTimeoutsTests
{
    [Fact]
    public void Defaults_AreIpvsDefaults()
    {
        var timeouts = new IpvsTimeouts();
        int[] seconds = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120];
        for (int s = 0; s < TcpStates.Count; s++) Assert.Equal(seconds[s] * 1000L, timeouts.TcpMilliseconds((TcpState)s));
        Assert.Equal(300_000, timeouts.UdpMilliseconds);
        Assert.Equal((900, 120, 300), (timeouts.TcpSeconds, timeouts.TcpFinSeconds, timeouts.UdpSeconds));
    }

    [Fact]
    public void Set_ChangesEstablishedFinWaitAndUdp_AndZeroKeepsAValue()
    {
        var timeouts = new IpvsTimeouts();
        timeouts.Set(3600, 0, 45);
        Assert.Equal((3600, 120, 45), (timeouts.TcpSeconds, timeouts.TcpFinSeconds, timeouts.UdpSeconds));
        timeouts.Set(0, 30, 0);
        Assert.Equal((3600, 30, 45), (timeouts.TcpSeconds, timeouts.TcpFinSeconds, timeouts.UdpSeconds));
        // The other states are not touched by --set.
        Assert.Equal(120_000, timeouts.TcpMilliseconds(TcpState.TimeWait));
        Assert.Equal(60_000, timeouts.TcpMilliseconds(TcpState.SynRecv));
    }

    [Fact]
    public void Set_RefusesANegativeTimeout_AndChangesNothing()
    {
        var timeouts = new IpvsTimeouts();
        Assert.Throws<ArgumentOutOfRangeException>(() => timeouts.Set(100, -1, 100));
        Assert.Equal((900, 120, 300), (timeouts.TcpSeconds, timeouts.TcpFinSeconds, timeouts.UdpSeconds));
    }
}
