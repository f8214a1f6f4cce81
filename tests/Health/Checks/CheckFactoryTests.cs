using UserLvs.Health.Checks;
using UserLvs.Scheduling;

namespace UserLvs.Health.Tests.Checks;

/// <summary>Which check a virtual service's lvs.cf settings mean (nanny's order of precedence).</summary>
public sealed class CheckFactoryTests
{
    private static readonly CheckFactory Factory = new(TimeProvider.System);
    private static readonly ServiceCheckSettings Plain = new();

    [Fact]
    public void AVirtualServiceOnPort80_WithoutSendOrExpect_GetsTheHttpProbe_WhateverTheServersPort() =>
        Assert.IsNotType<TcpConnectCheck>(Factory.Create(Plain, Protocol.Tcp, virtualPort: 80));

    [Fact]
    public void AVirtualServiceOnAnotherPort_GetsAPlainConnect_EvenIfItsServersListenOn80() =>
        Assert.IsType<TcpConnectCheck>(Factory.Create(Plain, Protocol.Tcp, virtualPort: 8080));

    [Fact]
    public void SendOrExpect_WinOverTheHttpProbe() =>
        Assert.IsType<TcpSendExpectCheck>(Factory.Create(new ServiceCheckSettings { Expect = "HTTP" }, Protocol.Tcp, virtualPort: 80));
}
