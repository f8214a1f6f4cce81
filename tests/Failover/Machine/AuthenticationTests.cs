using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;
using UserLvs.Scheduling;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>
/// Forged, replayed or misaddressed datagrams are dropped, counted by reason, and change nothing:
/// no shutdown, no takeover, not even "the peer was heard".
/// </summary>
public class AuthenticationTests
{
    private static readonly byte[] WrongKey = "not the key"u8.ToArray();

    [Fact]
    public void ForgedShutdown_WrongKey_ActiveRouterKeepsForwarding()
    {
        var router = new SingleRouter().Active();
        var forger = new PeerScript(router.Time, isPrimary: false, key: WrongKey);

        Assert.Equal(PulseDropReason.BadMac, router.Deliver(forger.Make(PulseMessageType.Shutdown, RouterRole.Active)));
        Assert.Equal(PulseDropReason.BadMac, router.Deliver(forger.Make(PulseMessageType.TakeoverRequest, RouterRole.Backup)));

        Assert.Equal(RouterRole.Active, router.Machine.Role);
        Assert.Empty(router.Actions.Log);
        Assert.Equal(2, router.Machine.Status.Drops[PulseDropReason.BadMac]);
    }

    [Fact]
    public void ShutdownWithAFlippedBit_Dropped()
    {
        var router = new SingleRouter().Active();
        var shutdown = router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active);
        shutdown[20] ^= 0x04;

        Assert.Equal(PulseDropReason.BadMac, router.Deliver(shutdown));
        Assert.Equal(RouterRole.Active, router.Machine.Role);
    }

    [Fact]
    public void TruncatedAndWrongVersion_Dropped_CountedApart()
    {
        var router = new SingleRouter().Active();
        var good = router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active);
        var v2 = (byte[])good.Clone();
        v2[2] = 2;

        Assert.Equal(PulseDropReason.Truncated, router.Deliver(good[..^1]));
        Assert.Equal(PulseDropReason.BadVersion, router.Deliver(v2));
        Assert.Equal(PulseDropReason.BadMagic, router.Deliver("GET / HTTP/1.0\r\n\r\n"u8.ToArray().Concat(new byte[80]).ToArray()));

        var drops = router.Machine.Status.Drops;
        Assert.Equal((1, 1, 1), (drops[PulseDropReason.Truncated], drops[PulseDropReason.BadVersion], drops[PulseDropReason.BadMagic]));
        Assert.Equal(RouterRole.Active, router.Machine.Role);
    }

    [Fact]
    public void ReplayedShutdown_SameBootOlderSequence_Refused()
    {
        // The peer fenced this router once (seq 5); the router was restarted since. The peer's boot
        // goes on, so a recording of that Shutdown is older than what the peer sends now.
        var router = new SingleRouter();
        var recorded = router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active, sequence: 5);
        router.Peer.Sequence = 100;
        router.Active();

        Assert.Equal(PulseDropReason.Replayed, router.Deliver(recorded));
        Assert.Equal(RouterRole.Active, router.Machine.Role);
        Assert.Empty(router.Actions.Log);
    }

    [Fact]
    public void ReplayedDatagram_SameSequence_Refused()
    {
        var router = new SingleRouter().Active();
        var heartbeat = router.Peer.Make(PulseMessageType.Heartbeat, RouterRole.Backup);

        Assert.Null(router.Deliver(heartbeat));
        Assert.Equal(PulseDropReason.Replayed, router.Deliver(heartbeat));
        Assert.Equal(["send HeartbeatReply public"], router.Actions.Log); // answered once only
    }

    [Fact]
    public void ShutdownFromThePeersPreviousBoot_Refused()
    {
        var router = new SingleRouter();
        var recorded = router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active); // boot 0xBEEF, never delivered
        router.Peer.Sequence = 0;
        router.Active(); // the peer's boot 0xBEEF is heard ...
        router.Peer.BootId = 0xF00D; // ... then the peer restarts
        router.Peer.Sequence = 0;
        Assert.Null(router.FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Backup));

        Assert.Equal(PulseDropReason.StaleBoot, router.Deliver(recorded));
        Assert.Equal(RouterRole.Active, router.Machine.Role);
    }

    [Fact]
    public void ShutdownFromAnOldBoot_OutsideTheFreshnessWindow_Refused()
    {
        var router = new SingleRouter().Active();
        var oldBoot = new PeerScript(router.Time, isPrimary: false, bootId: 0x0DD);
        var tenSecondsOld = router.Time.GetUtcNow().AddSeconds(-10).ToUnixTimeMilliseconds();

        Assert.Equal(PulseDropReason.StaleBoot, router.Deliver(oldBoot.Make(PulseMessageType.Shutdown, RouterRole.Active, timestampMs: tenSecondsOld)));
        Assert.Equal(RouterRole.Active, router.Machine.Role);
    }

    [Fact]
    public void AuthenticMessage_FromTheWrongAddress_OrMovedToTheOtherNetwork_Refused()
    {
        var router = new SingleRouter().Active();

        Assert.Equal(PulseDropReason.WrongSender, router.Deliver(router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active, sender: IPv4Address.Parse("10.0.0.9"))));
        var publicShutdown = router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active, PulseNetwork.Public);
        Assert.Equal(PulseDropReason.WrongSender, router.Deliver(publicShutdown, PulseNetwork.Private));
        Assert.Equal(RouterRole.Active, router.Machine.Role);
    }

    [Fact]
    public void PeerClaimingThisRoutersRole_RoleMismatch()
    {
        var router = new SingleRouter().Active();
        Assert.Equal(PulseDropReason.RoleMismatch, router.Deliver(router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active, flags: PulseFlags.Primary)));
        Assert.Equal(RouterRole.Active, router.Machine.Role);
    }

    [Fact]
    public void ForgedAndReplayedAnswers_DoNotKeepTheBackupFromTakingOver()
    {
        var backup = new SingleRouter(primary: false);
        var forger = new PeerScript(backup.Time, isPrimary: true, key: WrongKey);
        var real = backup.Peer.Make(PulseMessageType.HeartbeatReply, RouterRole.Active);
        Assert.Null(backup.Deliver(real));

        for (int i = 0; i < 40 && backup.Machine.Role == RouterRole.Backup; i++)
        {
            backup.Run(TimeSpan.FromMilliseconds(1));
            backup.Deliver(forger.Make(PulseMessageType.HeartbeatReply, RouterRole.Active));
            backup.Deliver(real);
        }

        Assert.Equal(RouterRole.Active, backup.Machine.Role);
        var status = backup.Machine.Status;
        Assert.Equal(TimeSpan.FromMilliseconds(31), status.LastTransitionAt - status.PeerLastHeard);
        Assert.Equal(31, status.Drops[PulseDropReason.BadMac]);
        Assert.Equal(31, status.Drops[PulseDropReason.Replayed]);
    }
}
