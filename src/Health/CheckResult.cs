namespace UserLvs.Health;

/// <summary>
/// The outcome of one nanny check of one real server (Seesaw's Check(timeout) -> Result): whether it
/// passed and, when it did not, the reason nanny logs once per state change.
/// </summary>
public readonly record struct CheckResult(bool Passed, string Reason)
{
    public static CheckResult Pass { get; } = new(true, "ok");
    public static CheckResult Fail(string reason) => new(false, reason);
}

/// <summary>One way of checking a real server (TCP connect, send/expect, HTTP, send_program).</summary>
public interface IHealthCheck
{
    ValueTask<CheckResult> CheckAsync(System.Net.IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken);
}
