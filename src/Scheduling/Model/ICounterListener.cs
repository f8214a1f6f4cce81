namespace UserLvs.Scheduling;

/// <summary>
/// Implemented by schedulers whose choice depends on connection counters (lc, wlc, sed, nq, fo, ovf,
/// lblc, lblcr, twos): they keep an incrementally updated structure so a pick never scans every server.
/// </summary>
public interface ICounterListener
{
    /// <summary>The counters (or overload flag) of the server at <paramref name="serverIndex"/> changed.</summary>
    void CountersChanged(int serverIndex);

    /// <summary>Re-read every server's counters; called once when the scheduler's snapshot is published.</summary>
    void RefreshAll();
}
