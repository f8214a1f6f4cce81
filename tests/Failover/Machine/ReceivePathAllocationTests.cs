using Microsoft.Extensions.Time.Testing;
using UserLvs.Failover.Protocol;
using UserLvs.Failover.Tests.Fakes;
using UserLvs.Tests.Shared;

namespace UserLvs.Failover.Tests.Machine;

/// <summary>~100 heartbeats a second at keepalive 0.01: receiving, checking and answering one allocates nothing.</summary>
public class ReceivePathAllocationTests
{
    private sealed class QuietActions : IPulseActions
    {
        public int Sent;
        public void Send(PulseNetwork network, ReadOnlySpan<byte> datagram) => Sent++;
        public void BecomeActive() { }
        public void BecomeStandby() { }
        public void Reannounce() { }
        public void RunActiveCommand() { }
        public void RunInactiveCommand() { }
        public void SyncBatchReceived(ReadOnlySpan<byte> payload) { }
        public void Transitioned(FailoverTransition transition) { }
    }

    [Fact]
    public void HeartbeatInReplyOut_SteadyState_AllocatesNothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var actions = new QuietActions();
        var machine = new PulseStateMachine(Addresses.Settings(Addresses.Primary()), actions, time, bootId: 7);
        var peer = new PeerScript(time, isPrimary: false);
        machine.Start();
        var heartbeats = Enumerable.Range(0, 3000).Select(_ => peer.Make(PulseMessageType.Heartbeat, RouterRole.Backup)).ToArray();
        int next = 0;

        long bytes = SteadyStateAllocations.OfQuietestRound(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                machine.Receive(PulseNetwork.Public, heartbeats[next++], out _);
                machine.Tick();
            }
        });

        Assert.Equal(0, bytes);
        Assert.Equal(RouterRole.Active, machine.Role);
        Assert.True(actions.Sent >= 1000);
    }
}
