namespace UserLvs.Health;

/// <summary>
/// The outcome of one nanny check of one real server (Seesaw's Check(timeout) -> Result): whether it
/// passed and, when it did not, the reason nanny logs once per state change ("connection refused",
/// "timed out after 2s", "expected 'HTTP/1.' but got 'SSH-2.0-Open…'", "send_program exited 3").
/// </summary>
public readonly record struct CheckResult(bool Passed, string Reason)
{
    public static CheckResult Pass { get; } = new(true, "ok");

    public static CheckResult Fail(string reason) => new(false, reason);

    public override string ToString() => Passed ? "passed" : $"failed: {Reason}";
}
