using UserLvs.Forwarder.Neighbours;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Neighbours;

public class NeighbourTableTests
{
    private static readonly IPv4Address RealServer = IPv4Address.Parse("10.0.0.11");
    private static readonly MacAddress Mac = MacAddress.Parse("02:00:00:00:00:11");

    [Fact]
    public void AnUnknownNeighbour_IsNotFound_AndOneRequestGoesOutPerRetryInterval()
    {
        var table = new NeighbourTable();
        Assert.False(table.TryGet(RealServer, out _));
        Assert.True(table.ShouldRequest(RealServer, nowMs: 1_000));
        Assert.False(table.ShouldRequest(RealServer, nowMs: 1_500));
        Assert.False(table.TryGet(RealServer, out _)); // a pending request is not an answer
        Assert.True(table.ShouldRequest(RealServer, nowMs: 2_000));
    }

    [Fact]
    public void ALearnedNeighbour_IsFound_AndAChangedMacReplacesIt()
    {
        var table = new NeighbourTable();
        table.ShouldRequest(RealServer, nowMs: 0);
        table.Learn(RealServer, Mac, nowMs: 10);
        Assert.True(table.TryGet(RealServer, out var mac));
        Assert.Equal(Mac, mac);
        var moved = MacAddress.Parse("02:00:00:00:00:99");
        table.Learn(RealServer, moved, nowMs: 20);
        Assert.True(table.TryGet(RealServer, out mac));
        Assert.Equal(moved, mac);
    }

    [Fact]
    public void WhatAnIpSourceSuggests_FillsAGap_ButNeverOverwritesWhatArpSaid()
    {
        var table = new NeighbourTable();
        table.ShouldRequest(RealServer, nowMs: 0);     // asked, not answered: still unknown
        table.LearnIfUnknown(RealServer, Mac, nowMs: 10);
        Assert.True(table.TryGet(RealServer, out var mac));
        Assert.Equal(Mac, mac);

        // Someone on the link puts the known address on a packet of its own.
        table.LearnIfUnknown(RealServer, MacAddress.Parse("02:00:00:00:00:66"), nowMs: 20);
        Assert.True(table.TryGet(RealServer, out mac));
        Assert.Equal(Mac, mac);
    }

    [Fact]
    public void BroadcastAndZeroSenders_AreNeverLearned()
    {
        var table = new NeighbourTable();
        table.Learn(RealServer, MacAddress.Broadcast, 0);
        table.Learn(RealServer, MacAddress.Zero, 0);
        table.Learn(IPv4Address.Any, Mac, 0);
        Assert.False(table.TryGet(RealServer, out _));
        Assert.False(table.TryGet(IPv4Address.Any, out _));
    }

    [Fact]
    public void ManyNeighbours_StayFindable_AndLookupsAllocateNothing()
    {
        var table = new NeighbourTable(capacity: 2048);
        for (uint i = 1; i <= 1000; i++) table.Learn(new IPv4Address(0x0A000000u + i), new MacAddress(0x020000000000UL + i), 0);
        for (uint i = 1; i <= 1000; i++)
        {
            Assert.True(table.TryGet(new IPv4Address(0x0A000000u + i), out var mac));
            Assert.Equal(0x020000000000UL + i, mac.Value);
        }
        void Lookups()
        {
            for (int round = 0; round < 100; round++)
                for (uint i = 1; i <= 1000; i++) table.TryGet(new IPv4Address(0x0A000000u + i), out _);
        }
        Lookups();   // warm-up: jitted and tiered up (a compile mid-measurement allocates)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Lookups();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
