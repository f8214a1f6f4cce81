namespace UserLvs.Forwarder.Nat;

/// <summary>
/// How many ICMP errors one worker may originate: a token bucket of <see cref="Burst"/> errors that
/// refills at <see cref="PerSecond"/>, the kernel's defaults (net.ipv4.icmp_msgs_per_sec and
/// icmp_msgs_burst). Why: every expired TTL or oversized DF packet could otherwise make the router
/// answer one for one, a reflector for anyone who can send it packets. Per worker and unlocked: the
/// worker's thread is the only caller.
/// </summary>
internal struct IcmpErrorBudget
{
    public const int PerSecond = 1000;
    public const int Burst = 50;

    private long _tokens;
    private long _refilledAt;
    private bool _started;

    /// <summary>Takes one error from the budget at <paramref name="now"/> (milliseconds); false when spent.</summary>
    public bool TryTake(long now)
    {
        if (!_started)
        {
            _started = true;
            _tokens = Burst;
            _refilledAt = now;
        }
        long elapsed = now - _refilledAt;
        if (elapsed > 0)
        {
            _tokens = Math.Min(Burst, _tokens + elapsed * PerSecond / 1000);
            _refilledAt = now;
        }
        if (_tokens <= 0) return false;
        _tokens--;
        return true;
    }
}
