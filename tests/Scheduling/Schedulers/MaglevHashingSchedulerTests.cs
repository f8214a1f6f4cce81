namespace UserLvs.Scheduling.Tests.Schedulers;

/// <summary>
/// IPVS's ip_vs_mh.c: a 4093-slot Maglev table filled from each server's hsiphash offset and skip,
/// weights as turns relative to their gcd, slot = hsiphash(client address + port) mod 4093,
/// flag-1 = mh-fallback, flag-2 = mh-port. The kernel's hash keys are constants, so slot numbers
/// below are what a 64-bit little-endian kernel computes; they were checked against an independent
/// Python transcription of ip_vs_mh.c and lib/siphash.c (itself checked on the kernel's self-test vectors).
/// </summary>
public class MaglevHashingSchedulerTests
{
    private const SchedulerFlags Fallback = SchedulerFlags.Flag1;
    private const SchedulerFlags HashPort = SchedulerFlags.Flag2;

    private static MaglevHashingScheduler Build(RealServer[] servers, SchedulerFlags flags = SchedulerFlags.None) =>
        new(new SchedulerContext(servers, flags));

    private static SchedulingRequest ClientNumber(uint k, ushort port = 40000) =>
        new(new IPv4Address(0xAC100000u + k * 7), port, IPv4Address.Parse("192.0.2.10"), 80);

    [Fact]
    public void TableSize_IsThePrimeAtTheKernelsDefaultIndex()
    {
        // CONFIG_IP_VS_MH_TAB_INDEX 12 -> primes[12 - 8]; IP_VS_MH_TAB_BITS = 12 / 2.
        Assert.Equal(4093, MaglevHashingScheduler.Primes[MaglevHashingScheduler.ConfigTableIndex - 8]);
        Assert.Equal(MaglevHashingScheduler.TableSize, MaglevHashingScheduler.Primes[4]);
        Assert.Equal(6, MaglevHashingScheduler.TableBits);
    }

    [Fact]
    public void HsipHash_MatchesTheKernelSelfTestVector()
    {
        // lib/siphash_kunit.c, 64-bit: hsiphash_1u32(0x03020100, {0x0706050403020100, 0x0f0e0d0c0b0a0908})
        // equals test_vectors_hsiphash[4].
        Assert.Equal(0x88d38328u, HsipHash.Hash(0x03020100, 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL));
    }

    [Theory]
    [InlineData("10.0.0.1", 0x439c0cbeu, 3167, 0x97b3dc47u, 700)]
    [InlineData("10.0.0.2", 0xa1cf683bu, 1231, 0xfa5d46dfu, 3544)]
    public void ServerOffsetAndSkip_AreTheKernelsHashesOfAddressPlusPort(string address, uint offsetHash, int offset, uint skipHash, int skip)
    {
        // offset = hsiphash(a + 80, K1) mod 4093; skip = hsiphash(a + 80, K2) mod 4092 + 1.
        var server = new RealServer(IPv4Address.Parse(address), 80);
        Assert.Equal(offsetHash, MaglevHashingScheduler.HashKey(server.Address, 80, MaglevHashingScheduler.OffsetKey));
        Assert.Equal(skipHash, MaglevHashingScheduler.HashKey(server.Address, 80, MaglevHashingScheduler.SkipKey));
        Assert.Equal((uint)offset, MaglevHashingScheduler.Offset(server));
        Assert.Equal((uint)skip, MaglevHashingScheduler.Skip(server));
        Assert.Equal(offsetHash % 4093, (uint)offset);
        Assert.Equal(skipHash % 4092 + 1, (uint)skip);
    }

    [Fact]
    public void Table_WithEqualWeights_SharesTheSlotsWithinOne()
    {
        // Turns of one each: the 4093 slots go round the list, 1365 + 1364 + 1364.
        var servers = ServerList.WithWeights(1, 1, 1);
        var mh = Build(servers);
        Assert.Equal([1365, 1364, 1364], CountSlots(mh, servers));
        // The first server takes its most preferred slot, its offset, in the first round.
        Assert.Same(servers[0], mh.Lookup[3167]);
    }

    [Fact]
    public void Table_HonoursWeightsRelativeToTheirGcd()
    {
        // Weights 2, 4 and an added-at-0 server: gcd 2, turns 1, 2, 0 -> 1365, 2728, 0 slots.
        var servers = ServerList.WithWeights(2, 4, 0);
        Assert.Equal([1365, 2728, 0], CountSlots(Build(servers), servers));
    }

    [Fact]
    public void Table_ShiftsLargeWeightRatiosDownToSixBits()
    {
        // Weights 100 and 1: gcd 1, max/gcd = 100 takes 7 bits, shift = 7 - 6 = 1; turns 100 >> 1 = 50
        // and 1 >> 1 = 0 -> 1 (a non-zero weight keeps at least one turn). 50 : 1 -> 4013 : 80.
        var servers = ServerList.WithWeights(100, 1);
        Assert.Equal([4013, 80], CountSlots(Build(servers), servers));
    }

    [Theory]
    [InlineData("198.51.100.1", 2)]   // hsiphash 0x2215d3fd -> slot 2374
    [InlineData("198.51.100.2", 2)]   // hsiphash 0x7696235a -> slot 940
    [InlineData("192.168.1.1", 0)]    // hsiphash 0xd3f1b4d3 -> slot 2456
    public void Pick_SendsAClientToTheServerOfItsSlot(string client, int server)
    {
        var servers = ServerList.WithWeights(1, 1, 1);
        Assert.Same(servers[server], Build(servers).Pick(ServerList.Client(client)));
    }

    [Fact]
    public void Pick_IsStickyPerClient_AcrossPortsAndRebuilds()
    {
        var servers = ServerList.WithWeights(1, 2, 1, 3);
        var mh = Build(servers);
        var rebuilt = Build(servers);
        for (uint k = 0; k < 500; k++)
        {
            var first = mh.Pick(ClientNumber(k));
            Assert.NotNull(first);
            Assert.Same(first, rebuilt.Pick(ClientNumber(k)));
            for (ushort port = 1024; port < 60000; port += 9973) Assert.Same(first, mh.Pick(ClientNumber(k, port)));
        }
    }

    [Fact]
    public void Pick_SpreadsClientsEvenlyOverEqualWeights()
    {
        // 5 servers own 818 or 819 slots each; 50,000 clients must land within ±10% of 10,000 each.
        var servers = ServerList.WithWeights(1, 1, 1, 1, 1);
        var mh = Build(servers);
        Assert.All(CountSlots(mh, servers), c => Assert.InRange(c, 818, 819));
        var counts = new int[servers.Length];
        for (uint k = 0; k < 50_000; k++) counts[Array.IndexOf(servers, mh.Pick(ClientNumber(k)))]++;
        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
    }

    [Fact]
    public void RemovingOneOfTenServers_MovesItsClientsAndAlmostNoOthers()
    {
        // Maglev's promise (NSDI'16 §3.4): when a server goes, its slots are refilled by the others'
        // preference lists and only a few other slots change owner, because the fill is a race in which
        // each survivor's earlier choices are mostly undisturbed. Over 20,000 clients we assert:
        //   - every client of the removed server moves (it is gone);
        //   - of the clients whose server survived, fewer than 3% move (measured: 1.3%, against 66%
        //     for sh/dh, which refill by position);
        //   - in all, fewer than 1.5/N = 15% of the clients move (1/N = 10% is the unavoidable part).
        var servers = ServerList.WithWeights(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var before = Build(servers);
        var after = Build([.. servers[..4], .. servers[5..]]);
        int onRemoved = 0, surviving = 0, survivorsMoved = 0;
        for (uint k = 0; k < 20_000; k++)
        {
            var was = before.Pick(ClientNumber(k));
            var now = after.Pick(ClientNumber(k));
            Assert.NotNull(now);
            if (ReferenceEquals(was, servers[4])) { onRemoved++; continue; }
            surviving++;
            if (!ReferenceEquals(was, now)) survivorsMoved++;
        }
        Assert.True((double)survivorsMoved / surviving < 0.03, $"{survivorsMoved} of {surviving} surviving clients moved");
        Assert.True((double)(onRemoved + survivorsMoved) / 20_000 < 1.5 / 10, $"{onRemoved + survivorsMoved} of 20000 clients moved");
    }

    [Fact]
    public void Pick_WithMhPort_HashesTheClientPortToo()
    {
        var servers = ServerList.WithWeights(1, 1, 1);
        // Without mh-port: 192.168.1.1 -> slot 2456 -> server 0 whatever the port.
        Assert.Same(servers[0], Build(servers).Pick(ServerList.Client("192.168.1.1", 40000)));
        // With it: + 40000 -> slot 3629 (server 1), + 40001 -> slot 107 (server 0).
        var byPort = Build(servers, HashPort);
        Assert.Same(servers[1], byPort.Pick(ServerList.Client("192.168.1.1", 40000)));
        Assert.Same(servers[0], byPort.Pick(ServerList.Client("192.168.1.1", 40001)));
    }

    [Fact]
    public void Pick_OnAnOverloadedServer_ReturnsNone_WithoutFallback_AndItsFallbackWithTheFlag()
    {
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 1, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 1),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
        };
        var (_, plain) = ServerList.Publish("mh", servers);
        servers[0].SetConnections(active: 1, inactive: 0);
        Assert.True(servers[0].IsOverloaded);
        Assert.Null(plain.Scheduler.Pick(ServerList.Client("192.168.1.1")));   // slot 2456 -> server 0
        Assert.Same(servers[2], plain.Scheduler.Pick(ServerList.Client("198.51.100.1")));

        // ip_vs_mh_get_fallback's first probe is hsiphash(address + 2456) mod 4093 = slot 3069: server 2.
        var (_, withFallback) = ServerList.Publish("mh", servers, Fallback);
        Assert.Same(servers[2], withFallback.Scheduler.Pick(ServerList.Client("192.168.1.1")));
        for (uint k = 0; k < 2_000; k++)
        {
            var chosen = withFallback.Scheduler.Pick(ClientNumber(k));
            Assert.NotNull(chosen);
            Assert.NotSame(servers[0], chosen);
        }
    }

    [Fact]
    public void QuiescingAServer_KeepsItsSlots_SoOnlyItsClientsAreAffected()
    {
        // __ip_vs_update_dest keeps last_weight at the latest non-zero weight and mh builds its table
        // from last_weight: weight 0 leaves the table as it was, the server's clients get none
        // (or their fallback), and no other client moves.
        foreach (var flags in new[] { SchedulerFlags.None, Fallback })
        {
            var servers = ServerList.WithWeights(1, 1, 1, 1, 1);
            var (table, service) = ServerList.Publish("mh", servers, flags);
            var key = service.Key;
            var before = Picks(service.Scheduler);
            Assert.Equal(TableResult.Ok, table.EditRealServer(key, servers[2].Address, 80, 0, 0, 0, ForwardingMethod.Masquerade));
            var quiesced = table.Current.Find(key)!.Scheduler;
            Assert.Equal(1, ((MaglevHashingScheduler)quiesced).LastWeight(2));
            var during = Picks(quiesced);
            int onQuiesced = 0;
            for (int k = 0; k < before.Length; k++)
            {
                if (before[k] == servers[2].Address)
                {
                    onQuiesced++;
                    if (flags == SchedulerFlags.None) Assert.Null(during[k]);
                    else Assert.True(during[k] is { } a && a != servers[2].Address);
                }
                else Assert.Equal(before[k], during[k]);
            }
            Assert.InRange(onQuiesced, 300, 500);   // about 1/5 of 2,000

            // Weight restored: the same table, every client back where it was.
            Assert.Equal(TableResult.Ok, table.EditRealServer(key, servers[2].Address, 80, 1, 0, 0, ForwardingMethod.Masquerade));
            Assert.Equal(before, Picks(table.Current.Find(key)!.Scheduler));
        }
    }

    [Fact]
    public void AServerAddedAtWeightZero_TakesNoSlots()
    {
        var servers = ServerList.WithWeights(1, 0, 1);
        var (_, service) = ServerList.Publish("mh", servers, Fallback);
        var mh = (MaglevHashingScheduler)service.Scheduler;
        Assert.Equal(0, mh.LastWeight(1));
        Assert.Equal([2047, 0, 2046], CountSlots(mh, servers));
    }

    [Fact]
    public void Pick_WithEveryServerAtWeightZero_ReturnsNone_EvenWithFallback()
    {
        var mh = Build(ServerList.WithWeights(0, 0), Fallback);
        Assert.All(mh.Lookup.ToArray(), Assert.Null);
        Assert.Null(mh.Pick(ServerList.Client("192.168.1.1")));
    }

    [Fact]
    public void Pick_WithNoServers_ReturnsNone() =>
        Assert.Null(Build([], Fallback).Pick(ServerList.Client("192.168.1.1")));

    [Fact]
    public void Pick_AllocatesNothing_EvenWhenFallingBack()
    {
        // A third of the clients land on the overloaded server and walk the fallback probe.
        var servers = new[]
        {
            new RealServer(IPv4Address.Parse("10.0.0.1"), 80, weight: 1, upperThreshold: 1),
            new RealServer(IPv4Address.Parse("10.0.0.2"), 80, weight: 1),
            new RealServer(IPv4Address.Parse("10.0.0.3"), 80, weight: 1),
        };
        var (_, service) = ServerList.Publish("mh", servers, Fallback | HashPort);
        servers[0].SetConnections(active: 1, inactive: 0);
        var mh = service.Scheduler;
        var request = ServerList.Client("192.168.1.1");
        void Run() { for (uint k = 0; k < 10_000; k++) mh.Pick(request with { ClientAddress = new IPv4Address(0xAC100000u + k), ClientPort = (ushort)k }); }
        Run();   // warm-up: every path jitted and tiered up (a first compile mid-measurement allocates)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static IPv4Address?[] Picks(IScheduler scheduler)
    {
        var picks = new IPv4Address?[2_000];
        for (uint k = 0; k < picks.Length; k++) picks[k] = scheduler.Pick(ClientNumber(k))?.Address;
        return picks;
    }

    private static int[] CountSlots(MaglevHashingScheduler mh, RealServer[] servers)
    {
        var counts = new int[servers.Length];
        foreach (var server in mh.Lookup) counts[Array.IndexOf(servers, server)]++;
        return counts;
    }
}
