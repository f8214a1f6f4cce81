using System.Net;
using System.Net.Sockets;

namespace UserLvs.Health.Checks;

/// <summary>The plainest check: a TCP connection to the real server's port opens within the deadline, then closes.</summary>
public sealed class TcpConnectCheck(TimeProvider time) : IHealthCheck
{
    public async ValueTask<CheckResult> CheckAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(time, timeout, cancellationToken);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(server, deadline.Token);
            return CheckResult.Pass;
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            return CheckResult.Fail(deadline.TimedOut);
        }
        catch (SocketException e)
        {
            return CheckResult.Fail(Deadline.Describe(e));
        }
    }
}
