using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Nat;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Nat;

/// <summary>
/// The pipeline allocates nothing per packet: whole connections (SYN, SYN-ACK, ACK, data both ways,
/// FIN both ways, last ACK) through receive, schedule, connection table, rewrite, transmit and
/// flush, with new connections replacing ones in TIME_WAIT, measured on this thread with
/// GC.GetAllocatedBytesForCurrentThread after a warm-up (<see cref="WholeConnectionPump"/> runs them as a worker does).
/// </summary>
public sealed class NatAllocationTests
{
    [Fact]
    public void OneHundredThousandPackets_OfWholeConnections_AllocateNothing()
    {
        using var pump = new WholeConnectionPump(new NatLab(capacity: 1024));
        Assert.Equal(20_000, pump.Run(20_000));   // warm-up: every path jitted through its tiers

        long before = GC.GetAllocatedBytesForCurrentThread();
        int forwarded = pump.Run(100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100_000, forwarded);
        Assert.Equal(0, allocated);
        Assert.Equal(120_000, pump.Stats.Received);
        Assert.Equal(75_000, pump.Stats.ForwardedToServers);
        Assert.Equal(45_000, pump.Stats.ForwardedToClients);
        Assert.True(pump.Stats.IsBalanced);
        Assert.Equal(WholeConnectionPump.ClientPorts, pump.Connections.Count);   // each port's last connection, in TIME_WAIT
    }
}
