using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>The table's remaining rows, each with its exact actions.</summary>
public class TransitionTests
{
    [Fact]
    public void T1_T2_Start_HeartbeatsOnBothNetworks_EveryKeepalive()
    {
        var router = new SingleRouter();
        router.Run(TimeSpan.FromMilliseconds(25));
        Assert.Equal(
        [
            "send Heartbeat public", "send Heartbeat private", // 10 ms
            "send Heartbeat public", "send Heartbeat private", // 20 ms
        ], router.Actions.Log);
    }

    [Fact]
    public void T3_Heartbeat_AnsweredOnTheNetworkItCameOn_CarryingTheSendersState()
    {
        var router = new SingleRouter().Active();
        Assert.Null(router.FromPeer(PulseMessageType.Heartbeat, RouterRole.Backup, PulseNetwork.Private));

        Assert.Equal(["send HeartbeatReply private"], router.Actions.Log);
        Assert.True(new PulseCodec(Addresses.Key).TryDecode(router.Actions.Sent[0], out var reply, out _, out _));
        Assert.Equal((RouterRole.Active, PulseFlags.Primary, Addresses.PrimaryPrivate, 7ul), (reply.SenderState, reply.Flags, reply.Sender, reply.BootId));
    }

    [Fact]
    public void T9_StandbyRouter_AnswersATakeoverRequestWithRelease()
    {
        var router = new SingleRouter(primary: false);
        Assert.Null(router.FromPeer(PulseMessageType.TakeoverRequest, RouterRole.Backup, PulseNetwork.Private));
        Assert.Equal(["send Release private"], router.Significant);
    }

    [Fact]
    public void T10_TakeoverRequestFromAPeerWithLesserRight_Ignored()
    {
        var router = new SingleRouter().Active();
        Assert.Null(router.FromPeer(PulseMessageType.TakeoverRequest, RouterRole.Backup));
        Assert.Empty(router.Actions.Log);
        Assert.Equal(RouterRole.Active, router.Machine.Role);
    }

    [Fact]
    public void T16_AuthenticatedShutdown_StopsForwardingFirst_ThenInactiveCmd()
    {
        var router = new SingleRouter().Active();
        Assert.Null(router.FromPeer(PulseMessageType.Shutdown, RouterRole.Active));

        Assert.Equal(["BecomeStandby", "inactive_cmd", "Active -> Shutdown"], router.Actions.Log);
        Assert.Equal("shut down by the peer (fenced)", router.Machine.Status.LastTransitionReason);
    }

    [Fact]
    public void AShutdownOvertakenByANewerMessageOnTheOtherNetwork_IsNotObeyed()
    {
        // The peer fenced at its takeover, then stood down; its Release (seq 9, private) arrived
        // first, the old Shutdown (seq 8, public) was held up on the way.
        var router = new SingleRouter().Active();
        Assert.Null(router.Deliver(router.Peer.Make(PulseMessageType.Release, RouterRole.Backup, PulseNetwork.Private, sequence: 9), PulseNetwork.Private));
        router.Actions.Clear();

        Assert.Null(router.Deliver(router.Peer.Make(PulseMessageType.Shutdown, RouterRole.Active, PulseNetwork.Public, sequence: 8)));

        Assert.Equal(RouterRole.Active, router.Machine.Role);
        Assert.DoesNotContain(router.Actions.Log, e => e.Contains("BecomeStandby", StringComparison.Ordinal));
    }

    [Fact]
    public void T17_ShutdownWhileStandby_OnlyTheRoleChanges()
    {
        var router = new SingleRouter(primary: false);
        Assert.Null(router.FromPeer(PulseMessageType.Shutdown, RouterRole.Active));
        Assert.Equal(["Backup -> Shutdown"], router.Actions.Log);
    }

    [Fact]
    public void ShutdownRouter_DoesNotPreempt_ButTakesOverWhenThePeerFallsSilent()
    {
        var router = new SingleRouter();
        router.FromPeer(PulseMessageType.Shutdown, RouterRole.Active);
        router.FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Backup); // primary, yet fenced: stays out
        Assert.Equal(RouterRole.Shutdown, router.Machine.Role);
        router.Actions.Clear();

        router.Run(TimeSpan.FromMilliseconds(31));

        Assert.Equal(["send Shutdown public", "send Shutdown private", "BecomeActive", "active_cmd", "Shutdown -> Active"], router.Significant);
    }

    [Fact]
    public void T15_BothFenced_TheOneWithTheBetterRightTakesOver()
    {
        var primary = new SingleRouter();
        primary.FromPeer(PulseMessageType.Shutdown, RouterRole.Active);
        primary.Actions.Clear();
        Assert.Null(primary.FromPeer(PulseMessageType.Heartbeat, RouterRole.Shutdown));
        Assert.Equal(["send HeartbeatReply public", "BecomeActive", "active_cmd", "Shutdown -> Active"], primary.Actions.Log);

        var backup = new SingleRouter(primary: false);
        backup.FromPeer(PulseMessageType.Shutdown, RouterRole.Active);
        Assert.Null(backup.FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Shutdown));
        Assert.Equal(RouterRole.Shutdown, backup.Machine.Role);
    }

    [Fact]
    public void T21_AFencedRouter_TakesOverAtOnce_WhenItsPeerStops()
    {
        // Both started unable to hear each other, fenced each other, and the primary won (T15): the
        // backup sits in Shutdown. Now the primary is stopped (T18: Release, sent from Shutdown).
        var backup = new SingleRouter(primary: false);
        backup.FromPeer(PulseMessageType.Shutdown, RouterRole.Active);
        backup.Actions.Clear();

        Assert.Null(backup.FromPeer(PulseMessageType.Release, RouterRole.Shutdown));

        Assert.Equal(["send Shutdown public", "send Shutdown private", "BecomeActive", "active_cmd", "Shutdown -> Active"], backup.Significant);
        Assert.Equal("the peer stopped", backup.Machine.Status.LastTransitionReason);
    }

    [Fact]
    public void T5_BackupTakesOverAtOnce_WhenThePrimarySaysItIsShutDown()
    {
        var backup = new SingleRouter(primary: false);
        Assert.Null(backup.FromPeer(PulseMessageType.Release, RouterRole.Shutdown));
        Assert.Equal(["BecomeActive", "active_cmd", "Backup -> Active"], backup.Actions.Log);
        Assert.Equal("the peer is shut down", backup.Machine.Status.LastTransitionReason);
    }

    [Fact]
    public void T18_Stop_StopsForwarding_ThenTellsThePeer()
    {
        var router = new SingleRouter().Active();
        router.Machine.Stop();
        Assert.Equal(["BecomeStandby", "inactive_cmd", "Active -> Shutdown", "send Release public", "send Release private"], router.Actions.Log);
    }

    [Fact]
    public void T18_StoppingThePrimary_BackupTakesOverWithoutWaitingForDeadtime()
    {
        var pair = new RouterPair();
        pair.StartBoth();
        pair.Run(TimeSpan.FromMilliseconds(100));
        int mark = pair.Timeline.Count;

        pair.A.Machine.Stop();
        pair.Deliver();

        Assert.Equal(
        [
            "A: BecomeStandby",
            "A: inactive_cmd",
            "A: Active -> Shutdown (stopping)",
            "A: send Release public",
            "A: send Release private",
            "B: BecomeActive",
            "B: active_cmd",
            "B: Backup -> Active (the peer is shut down)",
        ], pair.TimelineSince(mark));
    }

    [Fact]
    public void T19_Rejoin_FencedRouterBecomesBackupAgain_AndFailsBack()
    {
        var router = new SingleRouter();
        router.FromPeer(PulseMessageType.Shutdown, RouterRole.Active);
        router.Machine.Rejoin();
        router.Actions.Clear();
        Assert.Equal(RouterRole.Backup, router.Machine.Role);

        Assert.Null(router.FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Active));
        Assert.Equal(["send TakeoverRequest public", "send TakeoverRequest private"], router.Actions.Log);
    }

    [Fact]
    public void T20_SyncBatch_ActiveSendsOnThePrivateNetwork_StandbyReceivesTheSameBytes()
    {
        var pair = new RouterPair();
        pair.StartBoth();
        pair.Run(TimeSpan.FromMilliseconds(50));
        byte[] payload = [.. Enumerable.Range(0, 1400).Select(i => (byte)(i * 7))];

        Assert.True(pair.A.Machine.SendSyncBatch(payload));
        Assert.False(pair.B.Machine.SendSyncBatch(payload));
        pair.Deliver();

        Assert.Equal("A: send SyncBatch private", pair.Timeline[^2]);
        Assert.Equal("B: sync batch of 1400 bytes", pair.Timeline[^1]);
        Assert.Equal(payload, Assert.Single(pair.B.SyncBatches));
    }

    [Fact]
    public void T20_ActiveRouter_IgnoresSyncBatches()
    {
        var router = new SingleRouter().Active();
        Assert.Null(router.Deliver(router.Peer.Make(PulseMessageType.SyncBatch, RouterRole.Backup, payload: [1, 2, 3])));
        Assert.Empty(router.Actions.Log);
    }

    [Fact]
    public void Status_CountsTransitionsAndRemembersTheLast()
    {
        var router = new SingleRouter().Active();
        router.FromPeer(PulseMessageType.Shutdown, RouterRole.Active);
        var status = router.Machine.Status;

        Assert.Equal((2L, RouterRole.Shutdown, RouterRole.Active), (status.Transitions, status.Role, status.PeerRole));
        Assert.Equal(router.Time.GetUtcNow(), status.LastTransitionAt);
        Assert.Equal(router.Time.GetUtcNow(), status.PeerLastHeard);
        Assert.Equal(Enum.GetValues<PulseDropReason>().Length, status.Drops.Count);
    }

    [Fact]
    public void Status_SaysOnWhichNetworkThePeerWasLastHeard_SoADeadPathShows()
    {
        var router = new SingleRouter().Active();
        var publicAt = router.Time.GetUtcNow();
        router.Time.Advance(TimeSpan.FromMilliseconds(5));
        router.FromPeer(PulseMessageType.Heartbeat, RouterRole.Backup, PulseNetwork.Private);

        var status = router.Machine.Status;

        Assert.Equal(router.Time.GetUtcNow(), status.PeerLastHeardOn[(int)PulseNetwork.Private]);
        Assert.True(status.PeerLastHeardOn[(int)PulseNetwork.Public] is null || status.PeerLastHeardOn[(int)PulseNetwork.Public] <= publicAt);
    }
}

/// <summary>Silence while this router itself stood still is not the peer's death.</summary>
public class StallTests
{
    [Fact]
    public void OwnStall_LongerThanDeadtime_PeerGetsHalfADeadtimeToAnswer()
    {
        var backup = new SingleRouter(primary: false);
        backup.FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Active);
        backup.Time.Advance(TimeSpan.FromMilliseconds(200)); // no ticks: the process stood still
        backup.Machine.Tick();

        Assert.Equal(RouterRole.Backup, backup.Machine.Role);
        Assert.Equal(["send Heartbeat public", "send Heartbeat private"], backup.Actions.Log);
        Assert.Equal(1, backup.Machine.Status.Stalls);

        backup.Run(TimeSpan.FromMilliseconds(15));
        Assert.Equal(RouterRole.Backup, backup.Machine.Role);
        backup.Run(TimeSpan.FromMilliseconds(1));
        Assert.Equal(RouterRole.Active, backup.Machine.Role);
    }

    [Fact]
    public void OwnStall_AnswerArrivesAfterIt_NoTakeover()
    {
        var backup = new SingleRouter(primary: false);
        backup.FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Active);
        backup.Time.Advance(TimeSpan.FromMilliseconds(200));
        backup.Machine.Tick();
        backup.Run(TimeSpan.FromMilliseconds(2));
        backup.FromPeer(PulseMessageType.HeartbeatReply, RouterRole.Active);
        backup.Run(TimeSpan.FromMilliseconds(30)); // past the stall's grace, within deadtime of the answer
        Assert.Equal(RouterRole.Backup, backup.Machine.Role);
        backup.Run(TimeSpan.FromMilliseconds(1));
        Assert.Equal(RouterRole.Active, backup.Machine.Role);
    }
}
