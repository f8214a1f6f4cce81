using Microsoft.Extensions.Time.Testing;
using UserLvs.Health.Checks;

namespace UserLvs.Health.Tests.Checks;

/// <summary>The TCP checkers against real sockets on 127.0.0.1; deadlines run on a fake clock.</summary>
public sealed class TcpCheckTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connect_ToAListeningPort_Passes()
    {
        using var server = TcpServer.Silent();
        Assert.Equal(CheckResult.Pass, await new TcpConnectCheck(TimeProvider.System).CheckAsync(server.EndPoint, Generous, default));
    }

    [Fact]
    public async Task Connect_ToAClosedPort_FailsWithConnectionRefused() =>
        Assert.Equal(CheckResult.Fail("connection refused"),
            await new TcpConnectCheck(TimeProvider.System).CheckAsync(TcpServer.ClosedPort(), Generous, default));

    [Fact]
    public async Task Expect_FromASilentServer_TimesOutAtTheDeadline()
    {
        using var server = TcpServer.Silent();
        var time = new FakeTimeProvider();
        var check = new TcpSendExpectCheck(null, ReplyExpectation.From("220", useRegex: false), time).CheckAsync(server.EndPoint, Deadline, default);
        Assert.False(check.IsCompleted);
        time.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.False(check.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(CheckResult.Fail("timed out after 2s"), await check.AsTask().WaitAsync(Generous));
    }

    [Fact]
    public async Task Expect_AWrongBanner_FailsWithWhatCameBack_TruncatedAndEscaped()
    {
        using var server = TcpServer.Banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
        var result = await new TcpSendExpectCheck(null, ReplyExpectation.From("HTTP/1.", false), TimeProvider.System).CheckAsync(server.EndPoint, Generous, default);
        Assert.Equal(CheckResult.Fail("expected 'HTTP/1.' but got 'SSH-2.0-OpenSSH_9.2p1 Debian-2+d…'"), result);
    }

    [Fact]
    public async Task Expect_IsMatchedAtTheStartOfTheReply()
    {
        using var server = TcpServer.Banner("220 mail ready\r\n");
        var time = TimeProvider.System;
        Assert.True((await new TcpSendExpectCheck(null, ReplyExpectation.From("220 ", false), time).CheckAsync(server.EndPoint, Generous, default)).Passed);
        Assert.Equal(CheckResult.Fail(@"expected 'ready' but got '220 mail ready\r\n'"),
            await new TcpSendExpectCheck(null, ReplyExpectation.From("ready", false), time).CheckAsync(server.EndPoint, Generous, default));
    }

    [Fact]
    public async Task Send_InterpretsEscapes_AndTheReplyIsMatchedAgainstExpect()
    {
        using var server = TcpServer.Answering("\\", "PONG\r\n");
        var check = new TcpSendExpectCheck(CheckText.Unescape(@"PING\r\n\t\""x\"" \\"), ReplyExpectation.From(@"PONG\r\n", false), TimeProvider.System);
        Assert.Equal(CheckResult.Pass, await check.CheckAsync(server.EndPoint, Generous, default));
        Assert.Equal(["PING\r\n\t\"x\" \\"], server.Received);
    }

    [Fact]
    public async Task Regex_IsSearchedInTheReply()
    {
        using var good = TcpServer.Banner("+OK dovecot ready.\r\n");
        using var bad = TcpServer.Banner("-ERR go away\r\n");
        var expect = ReplyExpectation.From(@"^\+OK .*ready", useRegex: true);
        var check = new TcpSendExpectCheck(null, expect, TimeProvider.System);
        Assert.Equal(CheckResult.Pass, await check.CheckAsync(good.EndPoint, Generous, default));
        Assert.Equal(CheckResult.Fail(@"expected /^\+OK .*ready/ but got '-ERR go away\r\n'"), await check.CheckAsync(bad.EndPoint, Generous, default));
    }

    [Fact]
    public async Task Star_AcceptsAnyReply_ButNeedsOne()
    {
        using var talks = TcpServer.Banner("x");
        using var mute = TcpServer.Banner("");
        var check = new TcpSendExpectCheck(null, ReplyExpectation.From("*", false), TimeProvider.System);
        Assert.Equal(CheckResult.Pass, await check.CheckAsync(talks.EndPoint, Generous, default));
        Assert.Equal(CheckResult.Fail("no reply (connection closed)"), await check.CheckAsync(mute.EndPoint, Generous, default));
    }

    [Fact]
    public async Task HttpProbe_SendsGetWithHost_AndAcceptsAnyStatusLine()
    {
        using var server = TcpServer.Answering("\r\n\r\n", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(CheckResult.Pass, await HttpProbe.Create(TimeProvider.System).CheckAsync(server.EndPoint, Generous, default));
        Assert.StartsWith("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n", Assert.Single(server.Received));
    }

    [Fact]
    public async Task HttpProbe_FailsOnWhatIsNotAStatusLine()
    {
        using var server = TcpServer.Answering("\r\n\r\n", "SSH-2.0-OpenSSH_9.2p1\r\n");
        Assert.Equal(CheckResult.Fail(@"expected an HTTP/1.x status line but got 'SSH-2.0-OpenSSH_9.2p1\r\n'"),
            await HttpProbe.Create(TimeProvider.System).CheckAsync(server.EndPoint, Generous, default));
    }

    [Fact]
    public async Task SendWithoutExpect_PassesOnceTheSendIsTaken()
    {
        using var server = TcpServer.Answering("\n", "");
        Assert.Equal(CheckResult.Pass, await new TcpSendExpectCheck(CheckText.Unescape(@"QUIT\n"), null, TimeProvider.System).CheckAsync(server.EndPoint, Generous, default));
    }

    [Fact]
    public async Task StoppingTheMonitor_CancelsTheCheck_InsteadOfReportingATimeout()
    {
        using var server = TcpServer.Silent();
        using var stop = new CancellationTokenSource();
        var check = new TcpSendExpectCheck(null, ReplyExpectation.From("x", false), new FakeTimeProvider()).CheckAsync(server.EndPoint, Deadline, stop.Token);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => check.AsTask().WaitAsync(Generous));
    }
}
