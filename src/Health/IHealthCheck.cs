using System.Net;

namespace UserLvs.Health;

/// <summary>
/// One way of checking a real server (TCP connect, send/expect, the HTTP probe, UDP, send_program).
/// A check never throws for what the server does: every failure, the deadline included, comes back
/// as a failed <see cref="CheckResult"/> with its reason. It throws <see cref="OperationCanceledException"/>
/// only when <paramref name="cancellationToken"/> is cancelled (its monitor stopped).
/// </summary>
public interface IHealthCheck
{
    ValueTask<CheckResult> CheckAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken);
}
