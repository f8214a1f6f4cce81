using UserLvs.Control;
using UserLvs.Daemon.Status;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Control;

/// <summary>
/// userlvs-adm --status through the real socket: the status board answers for a standalone router
/// until pulse reports, and nanny's verdicts ride along whoever reports the role.
/// </summary>
public class ControlStatusTests : IDisposable
{
    private readonly ControlSocket _control = new();

    public void Dispose() => _control.Dispose();

    [Fact]
    public void GetStatus_WithoutFailover_ReportsAStandaloneActiveRouterSinceStart()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        using var client = _control.Connect();
        var status = ControlSocket.Off(client.GetStatus);
        Assert.Equal(("standalone", "active", 0), (status.Mode, status.Role, status.Transitions));
        Assert.Null(status.Peer);
        Assert.Null(status.Sync);
        Assert.Empty(status.RealServers);
        Assert.InRange(status.RoleSince, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void GetStatus_CarriesWhatPulseAndNannyReport()
    {
        var since = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var web = new ServiceKey(Protocol.Tcp, "192.0.2.10", 80);
        _control.Status.Failover = () => new RouterStatus("backup", "active", since, "no heartbeat reply for 30 ms", 1,
            new PeerStatus("192.0.2.1", 0.5, ["private"], new Dictionary<string, long> { ["forged"] = 3 }),
            new SyncStatus("master", "priv0", 7, 10, 0, 0), []);
        _control.Status.Health = () => [new RealServerStatus(web, "10.0.0.11", 80, "quiesced", "timed out after 1s", since)];

        using var client = _control.Connect();
        var status = ControlSocket.Off(client.GetStatus);

        Assert.Equal(("backup", "active", "no heartbeat reply for 30 ms", 1), (status.Mode, status.Role, status.Reason, status.Transitions));
        Assert.Equal(3, status.Peer!.Rejected["forged"]);
        Assert.Equal(["private"], status.Peer.HeardOn);
        Assert.Equal(new SyncStatus("master", "priv0", 7, 10, 0, 0), status.Sync);
        var server = Assert.Single(status.RealServers);
        Assert.Equal((web, "10.0.0.11", (ushort)80, "quiesced", "timed out after 1s"), (server.Service, server.Address, server.Port, server.State, server.Reason));
    }
}
