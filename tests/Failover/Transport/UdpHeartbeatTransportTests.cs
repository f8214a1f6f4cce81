using System.Net;
using System.Net.Sockets;
using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;
using UserLvs.Failover.Transport;
using UserLvs.Scheduling;

namespace UserLvs.Failover.Tests.Transport;

/// <summary>
/// Real UDP sockets on loopback: the primary is 127.0.0.1 (private 127.0.0.3), the backup 127.0.0.2
/// (private 127.0.0.4), both on one port, as two routers use one heartbeat_port.
/// </summary>
public class UdpHeartbeatTransportTests
{
    private static readonly IPv4Address P = IPv4Address.Parse("127.0.0.1"), B = IPv4Address.Parse("127.0.0.2");
    private static readonly IPv4Address PPriv = IPv4Address.Parse("127.0.0.3"), BPriv = IPv4Address.Parse("127.0.0.4");
    private static readonly RoleAssignment PrimaryRoles = new(ConfiguredRole.Primary, false, P, B, PPriv, BPriv);
    private static readonly RoleAssignment BackupRoles = new(ConfiguredRole.Backup, false, B, P, BPriv, PPriv);

    private static ushort FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (ushort)((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Datagram_ArrivesOnTheSameNetwork_FromTheSendersOwnAddressAndPort()
    {
        ushort port = FreePort();
        using var primary = new UdpHeartbeatTransport(PrimaryRoles, port);
        using var backup = new UdpHeartbeatTransport(BackupRoles, port);
        var got = new TaskCompletionSource<(PulseNetwork, byte[], IPv4Address, ushort)>();
        backup.Start((network, bytes, from, fromPort) => got.TrySetResult((network, bytes.ToArray(), from, fromPort)));
        primary.Start((_, _, _, _) => { });

        primary.Send(PulseNetwork.Private, [1, 2, 3]);

        var (network, bytes, from, fromPort) = await got.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((PulseNetwork.Private, PPriv, port), (network, from, fromPort));
        Assert.Equal([1, 2, 3], bytes);
    }

    [Fact]
    public async Task TwoPulseServices_ExchangeAuthenticatedHeartbeats_OneActive_ThenHandOverOnStop()
    {
        ushort port = FreePort();
        var settings = (RoleAssignment roles) => new PulseSettings
        {
            Roles = roles, KeepAlive = TimeSpan.FromMilliseconds(10), DeadTime = TimeSpan.FromMilliseconds(500), Key = Addresses.Key,
        };
        var targetP = new RecordingTarget();
        var targetB = new RecordingTarget();
        var primary = new PulseService(settings(PrimaryRoles), new UdpHeartbeatTransport(PrimaryRoles, port), targetP, TimeProvider.System);
        await using var backup = new PulseService(settings(BackupRoles), new UdpHeartbeatTransport(BackupRoles, port), targetB, TimeProvider.System);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        primary.Transitioned += t => log.Enqueue($"{DateTime.UtcNow:ss.fff} P {t}");
        backup.Transitioned += t => log.Enqueue($"{DateTime.UtcNow:ss.fff} B {t}");
        try
        {
            primary.Start();
            backup.Start();
            Assert.True(await Eventually(() => primary.Role == RouterRole.Active && backup.Status.PeerLastHeard is not null));
            await Task.Delay(100); // a few more rounds of heartbeats

            var status = backup.Status;
            Assert.True((RouterRole.Backup, RouterRole.Active, 0L) == (status.Role, status.PeerRole, status.Dropped), string.Join("\n", log));
            Assert.Equal(0, primary.Status.Dropped);
            Assert.Equal(["BecomeActive"], targetP.Calls);
            Assert.Empty(targetB.Calls);
        }
        finally
        {
            await primary.DisposeAsync();
        }
        Assert.True(await Eventually(() => backup.Role == RouterRole.Active));
        Assert.Equal("the peer is shut down", backup.Status.LastTransitionReason);
    }

    [Fact]
    public async Task WrongKey_EveryDatagramDroppedAsBadMac_BothStandAloneAfterDeadtime()
    {
        ushort port = FreePort();
        var primary = new PulseService(new PulseSettings { Roles = PrimaryRoles, KeepAlive = TimeSpan.FromMilliseconds(10), DeadTime = TimeSpan.FromMilliseconds(100), Key = [1] },
            new UdpHeartbeatTransport(PrimaryRoles, port), new RecordingTarget(), TimeProvider.System);
        await using var backup = new PulseService(new PulseSettings { Roles = BackupRoles, KeepAlive = TimeSpan.FromMilliseconds(10), DeadTime = TimeSpan.FromMilliseconds(100), Key = [2] },
            new UdpHeartbeatTransport(BackupRoles, port), new RecordingTarget(), TimeProvider.System);
        await using (primary)
        {
            primary.Start();
            backup.Start();
            Assert.True(await Eventually(() => backup.Status.Drops[PulseDropReason.BadMac] >= 10 && backup.Role == RouterRole.Active));
            Assert.Null(backup.Status.PeerLastHeard);
        }
    }

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        for (int i = 0; i < 500; i++)
        {
            if (condition()) return true;
            await Task.Delay(10);
        }
        return condition();
    }
}
