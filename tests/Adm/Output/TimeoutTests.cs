
namespace UserLvs.Adm.Tests.Output;

/// <summary>ipvsadm --timeout prints "Timeout (tcp tcpfin udp): T F U"; --set sends three values where 0 keeps one.</summary>
public class TimeoutTests
{
    [Fact]
    public void Timeout_PrintsTheThreeTimeouts() =>
        Assert.Equal("Timeout (tcp tcpfin udp): 900 120 300\n", new AdmHarness().Run("-L --timeout").Out);

    [Fact]
    public void Set_SendsTheThreeValues_AndZeroKeepsAValue()
    {
        var adm = new AdmHarness();
        var result = adm.Run("--set 3600 0 60");
        Assert.Equal((0, "", ""), (result.Status, result.Out, result.Err));
        Assert.Equal(new Timeouts(3600, 0, 60), adm.Control.Requests[^1]);
        Assert.Equal("Timeout (tcp tcpfin udp): 3600 120 60\n", adm.Run("-l --timeout").Out);
    }

    [Fact]
    public void Set_AcceptsUpTo31Days_AndRefusesMore()
    {
        var adm = new AdmHarness();
        Assert.Equal(0, adm.Run("--set 2678400 1 1").Status);
        var result = adm.Run("--set 2678401 1 1");
        Assert.Equal((2, "invalid timeout value `2678401' specified\n"), (result.Status, result.Err));
    }
}
