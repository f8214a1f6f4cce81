using System.Globalization;
using UserLvs.Scheduling;

namespace UserLvs.Adm.Output;

/// <summary>
/// `userlvs-adm --status`: what ipvsadm has no word for — this router's pulse role, its peer, the
/// connection sync daemon (in ipvsadm's own "master sync daemon (mcast=IF, syncid=N)" words) and
/// nanny's verdict per real server. Times print in UTC with milliseconds, so two routers' outputs
/// line up when a takeover is being read. Layout:
///
///   Role: active (primary) since 2026-11-23 12:01:02.123 UTC, 2 transitions
///     last change: shutdown by the backup ...
///   Peer: 192.0.2.2, last heard 0.004 s ago on public, private; rejected: none
///   Sync: master sync daemon (mcast=priv0, syncid=0): 12 sent, 0 received, 0 dropped
///   Real servers checked by nanny:
///   Prot LocalAddress:Port     RemoteAddress:Port    State    Since                        Reason
///   TCP  192.0.2.10:80         10.0.0.11:80          up       2026-11-23 12:00:01.000 UTC  ok
/// </summary>
internal sealed class StatusFormatter(TextWriter output)
{
    public void Write(RouterStatus status)
    {
        output.Write($"Role: {status.Role} ({status.Mode}) since {Time(status.RoleSince)}, {status.Transitions} transition{(status.Transitions == 1 ? "" : "s")}\n");
        output.Write($"  last change: {status.Reason}\n");
        if (status.Stalls > 0) output.Write($"  stalls: {status.Stalls} (this router's own heartbeat clock stood still)\n");
        if (status.Peer is { } peer)
        {
            string heard = peer.LastHeardSecondsAgo is { } ago
                ? $"last heard {ago.ToString("0.000", CultureInfo.InvariantCulture)} s ago on {(peer.HeardOn.Count == 0 ? "-" : string.Join(", ", peer.HeardOn))}"
                : "never heard";
            string rejected = peer.Rejected.Count == 0 || peer.Rejected.Values.All(n => n == 0)
                ? "none"
                : string.Join(", ", peer.Rejected.Where(r => r.Value > 0).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value}"));
            output.Write($"Peer: {peer.Address}, {heard}; rejected: {rejected}\n");
        }
        else
        {
            output.Write("Peer: none\n");
        }
        if (status.Sync is { } sync)
            output.Write($"Sync: {SyncDaemon(sync)}: {sync.Sent} sent, {sync.Received} received, {sync.Dropped} dropped\n");
        else
            output.Write("Sync: off\n");

        if (status.RealServers.Count == 0)
        {
            output.Write("Real servers checked by nanny: none\n");
            return;
        }
        output.Write("Real servers checked by nanny:\n");
        output.Write($"{"Prot",-5}{"LocalAddress:Port",-22}{"RemoteAddress:Port",-22}{"State",-9}{"Since",-29}Reason\n");
        foreach (var server in status.RealServers)
        {
            string local = $"{server.Service.Address}:{server.Service.Port}";
            string remote = $"{server.Address}:{server.Port}";
            output.Write($"{server.Service.Protocol.ToIpvsName(),-5}{local,-22}{remote,-22}{server.State,-9}{Time(server.Since),-29}{server.Reason}\n");
        }
    }

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>The sync daemon as ipvsadm's list_daemon names it: "master sync daemon (mcast=priv0, syncid=0)".</summary>
    internal static string SyncDaemon(SyncStatus sync) => $"{sync.State} sync daemon (mcast={sync.Interface}, syncid={sync.SyncId})";
}
