using Microsoft.Extensions.Time.Testing;
using UserLvs.Health.Checks;

namespace UserLvs.Health.Tests.Checks;

public sealed class UdpCheckTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SendExpect_AMatchingReplyDatagram_Passes()
    {
        using var server = new UdpServer(q => q == "PING\n" ? "PONG" : "?");
        var check = new UdpCheck(CheckText.Unescape(@"PING\n"), ReplyExpectation.From("PONG", false), TimeProvider.System);
        Assert.Equal(CheckResult.Pass, await check.CheckAsync(server.EndPoint, Generous, default));
        Assert.Equal(["PING\n"], server.Received);
    }

    [Fact]
    public async Task SendExpect_AWrongReply_FailsWithIt()
    {
        using var server = new UdpServer(_ => "NOPE");
        var check = new UdpCheck(CheckText.Unescape("PING"), ReplyExpectation.From("PONG", false), TimeProvider.System);
        Assert.Equal(CheckResult.Fail("expected 'PONG' but got 'NOPE'"), await check.CheckAsync(server.EndPoint, Generous, default));
    }

    [Fact]
    public async Task SendExpect_NoReplyWithinTheDeadline_Fails()
    {
        using var server = new UdpServer(_ => null);
        var time = new FakeTimeProvider();
        var check = new UdpCheck(CheckText.Unescape("PING"), ReplyExpectation.From("PONG", false), time).CheckAsync(server.EndPoint, TimeSpan.FromSeconds(2), default);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(CheckResult.Fail("timed out after 2s waiting for a reply datagram"), await check.AsTask().WaitAsync(Generous));
    }

    [Fact]
    public async Task AClosedPort_FailsWithThePortUnreachable()
    {
        var check = new UdpCheck(null, ReplyExpectation.From("*", false), TimeProvider.System);
        Assert.Equal(CheckResult.Fail("connection refused (ICMP port unreachable)"), await check.CheckAsync(UdpServer.ClosedPort(), Generous, default));
        var probe = new UdpCheck(null, null, TimeProvider.System);
        Assert.Equal(CheckResult.Fail("connection refused (ICMP port unreachable)"), await probe.CheckAsync(UdpServer.ClosedPort(), Generous, default));
    }

    [Fact]
    public async Task PortProbe_WithoutExpect_PassesOnSilenceAfterTheQuietWait()
    {
        using var server = new UdpServer(_ => null);
        var time = new FakeTimeProvider();
        var check = new UdpCheck(null, null, time).CheckAsync(server.EndPoint, TimeSpan.FromSeconds(10), default);
        await Task.Delay(50);
        Assert.False(check.IsCompleted);
        time.Advance(UdpCheck.QuietWait);
        Assert.Equal(CheckResult.Pass, await check.AsTask().WaitAsync(Generous));
        Assert.Equal([""], server.Received); // an empty datagram
    }
}
