using UserLvs.Forwarder.IO;
using static UserLvs.Forwarder.Tests.IO.TestFrames;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// The cBPF fanout program's specification, run on an interpreter of the kernel's semantics: the
/// request (client as source, public side) and its NAT reply (client as destination, private side)
/// land on the same worker, which is <see cref="FanoutProgram.WorkerFor"/>(client address, client port).
/// </summary>
public class FanoutProgramTests
{
    private static readonly FanoutProgram Public4 = FanoutProgram.Build(ClientSide.Source, 4);
    private static readonly FanoutProgram Private4 = FanoutProgram.Build(ClientSide.Destination, 4);

    [Fact]
    public void Program_RequestAndItsNatReply_ReachTheSameWorker()
    {
        var rng = new Random(1);
        var seen = new HashSet<uint>();
        for (int i = 0; i < 2000; i++)
        {
            string client = $"198.51.{rng.Next(256)}.{rng.Next(1, 255)}";
            ushort port = (ushort)rng.Next(1024, 65536);
            bool tcp = (i & 1) == 0;
            byte[] request = tcp ? Tcp(client, port, "192.0.2.10", 80) : Udp(client, port, "192.0.2.10", 53);
            byte[] reply = tcp ? Tcp("10.1.0.5", 8080, client, port) : Udp("10.1.0.5", 5353, client, port);

            uint onPublic = CbpfInterpreter.Run(Public4.Instructions, request);
            uint onPrivate = CbpfInterpreter.Run(Private4.Instructions, reply);

            Assert.Equal(onPublic, onPrivate);
            Assert.Equal(FanoutProgram.WorkerFor(Address(client), port, 4), (int)onPublic);
            seen.Add(onPublic);
        }

        Assert.Equal([0u, 1u, 2u, 3u], seen.Order());
    }

    [Fact]
    public void Program_SpreadsClientsEvenlyAcrossWorkers()
    {
        var counts = new int[4];
        for (int i = 0; i < 8000; i++)
        {
            counts[CbpfInterpreter.Run(Public4.Instructions, Tcp($"203.0.113.{1 + (i % 250)}", (ushort)(30000 + i), "192.0.2.10", 80))]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 1700, 2300));
    }

    [Fact]
    public void Program_OnlyTheClientCounts_NotTheVirtualOrRealServer()
    {
        uint toVip = CbpfInterpreter.Run(Public4.Instructions, Tcp("198.51.100.7", 40000, "192.0.2.10", 80));
        uint toOtherVip = CbpfInterpreter.Run(Public4.Instructions, Tcp("198.51.100.7", 40000, "192.0.2.99", 443));
        uint fromServer1 = CbpfInterpreter.Run(Private4.Instructions, Tcp("10.1.0.5", 80, "198.51.100.7", 40000));
        uint fromServer2 = CbpfInterpreter.Run(Private4.Instructions, Tcp("10.1.0.6", 8080, "198.51.100.7", 40000));

        Assert.Equal(toVip, toOtherVip);
        Assert.Equal(toVip, fromServer1);
        Assert.Equal(toVip, fromServer2);
    }

    [Fact]
    public void Program_InBandVlanTag_HashesTheInnerIPv4()
    {
        byte[] request = Udp("198.51.100.23", 5000, "192.0.2.10", 53);
        uint untagged = CbpfInterpreter.Run(Public4.Instructions, request);
        uint tagged = CbpfInterpreter.Run(Public4.Instructions, WithVlanTag(request, 42), keepVlanInBand: true);
        uint untaggedByKernel = CbpfInterpreter.Run(Public4.Instructions, WithVlanTag(request, 42));

        Assert.Equal(FanoutProgram.WorkerFor(Address("198.51.100.23"), 5000, 4), (int)untagged);
        Assert.Equal(untagged, tagged);
        Assert.Equal(untagged, untaggedByKernel);
    }

    [Fact]
    public void Program_NonIPv4Frames_GoToWorkerZero()
    {
        byte[] arp = Udp("198.51.100.23", 5000, "192.0.2.10", 53);
        arp[12] = 0x08;
        arp[13] = 0x06;
        byte[] ipv6 = (byte[])arp.Clone();
        ipv6[12] = 0x86;
        ipv6[13] = 0xdd;

        Assert.Equal(0u, CbpfInterpreter.Run(Public4.Instructions, arp));
        Assert.Equal(0u, CbpfInterpreter.Run(Public4.Instructions, ipv6));
    }

    [Fact]
    public void Program_FragmentsAndPortlessProtocols_HashTheAddressWithPortZero()
    {
        byte[] fragment = Udp("198.51.100.23", 5000, "192.0.2.10", 53);
        fragment[14 + 6] = 0x20; // MF: the first fragment, ports present but ignored so all fragments agree
        byte[] icmp = Udp("198.51.100.23", 5000, "192.0.2.10", 53);
        icmp[14 + 9] = 1;
        int expected = FanoutProgram.WorkerFor(Address("198.51.100.23"), 0, 4);

        Assert.Equal(expected, (int)CbpfInterpreter.Run(Public4.Instructions, fragment));
        Assert.Equal(expected, (int)CbpfInterpreter.Run(Public4.Instructions, icmp));
    }

    [Fact]
    public void Program_IpOptions_ReadPortsAfterTheLongerHeader()
    {
        // IHL 6: one 4-byte option (NOP x4) between the IPv4 header and UDP; BPF_MSH must skip it.
        byte[] plain = Udp("198.51.100.23", 5000, "192.0.2.10", 53);
        var withOption = new byte[plain.Length + 4];
        plain.AsSpan(0, 34).CopyTo(withOption);
        withOption[14] = 0x46;
        withOption.AsSpan(34, 4).Fill(1);
        plain.AsSpan(34).CopyTo(withOption.AsSpan(38));

        Assert.Equal(FanoutProgram.WorkerFor(Address("198.51.100.23"), 5000, 4), (int)CbpfInterpreter.Run(Public4.Instructions, withOption));
    }

    [Fact]
    public void Program_FrameCutBeforeThePorts_AbortsToWorkerZero()
    {
        byte[] cut = Udp("198.51.100.23", 5000, "192.0.2.10", 53).AsSpan(0, 35).ToArray();

        Assert.Equal(0u, CbpfInterpreter.Run(Public4.Instructions, cut));
    }

    [Fact]
    public void Build_OneWorker_AlwaysReturnsZero()
    {
        FanoutProgram single = FanoutProgram.Build(ClientSide.Source, 1);

        Assert.Equal(0u, CbpfInterpreter.Run(single.Instructions, Tcp("198.51.100.1", 1234, "192.0.2.10", 80)));
    }
}

/// <summary>
/// ICMP errors about a connection reach the worker that owns it: the program hashes the client
/// endpoint of the datagram the error quotes, so "fragmentation needed" from a router on the
/// internet and "port unreachable" from a real server are translated by the right worker.
/// </summary>
public class FanoutProgramIcmpTests
{
    private static readonly FanoutProgram Public4 = FanoutProgram.Build(ClientSide.Source, 4);
    private static readonly FanoutProgram Private4 = FanoutProgram.Build(ClientSide.Destination, 4);

    [Fact]
    public void FragmentationNeeded_FromTheInternet_AboutAReply_ReachesTheClientsWorker()
    {
        for (int i = 0; i < 500; i++)
        {
            string client = $"198.51.100.{1 + i % 250}";
            ushort port = (ushort)(20000 + i * 7);
            byte[] reply = Tcp("192.0.2.10", 80, client, port, payloadLength: 1400);   // VIP -> client, after NAT
            byte[] error = IcmpError("203.0.113.1", "192.0.2.10", 3, 4, reply);

            Assert.Equal(FanoutProgram.WorkerFor(Address(client), port, 4), (int)CbpfInterpreter.Run(Public4.Instructions, error));
        }
    }

    [Fact]
    public void PortUnreachable_FromARealServer_AboutARequest_ReachesTheClientsWorker()
    {
        for (int i = 0; i < 500; i++)
        {
            string client = $"198.51.{i % 7}.{1 + i % 250}";
            ushort port = (ushort)(40000 + i * 11);
            byte[] request = Udp(client, port, "10.0.0.11", 5353);                     // client -> RIP, after NAT
            byte[] error = IcmpError("10.0.0.11", client, 3, 3, request);

            uint worker = CbpfInterpreter.Run(Private4.Instructions, error);
            Assert.Equal(FanoutProgram.WorkerFor(Address(client), port, 4), (int)worker);
            Assert.Equal(CbpfInterpreter.Run(Public4.Instructions, Udp(client, port, "192.0.2.10", 5353)), worker);
        }
    }

    [Fact]
    public void TimeExceeded_QuotingADatagramWithIpOptions_ReadsThePortsAfterTheQuotedOptions()
    {
        byte[] plain = Udp("192.0.2.10", 5353, "198.51.100.9", 33000);
        var withOption = new byte[plain.Length + 4];
        plain.AsSpan(0, 34).CopyTo(withOption);
        withOption[14] = 0x46;
        withOption.AsSpan(34, 4).Fill(1);
        plain.AsSpan(34).CopyTo(withOption.AsSpan(38));
        byte[] error = IcmpError("203.0.113.1", "192.0.2.10", 11, 0, withOption);

        Assert.Equal(FanoutProgram.WorkerFor(Address("198.51.100.9"), 33000, 4), (int)CbpfInterpreter.Run(Public4.Instructions, error));
    }

    [Fact]
    public void EchoRequest_IsNoError_AndHashesItsOwnSourceWithPortZero()
    {
        byte[] echo = IcmpError("198.51.100.23", "192.0.2.10", 8, 0, Udp("192.0.2.10", 1, "198.51.100.99", 2));

        Assert.Equal(FanoutProgram.WorkerFor(Address("198.51.100.23"), 0, 4), (int)CbpfInterpreter.Run(Public4.Instructions, echo));
    }

    [Fact]
    public void IcmpError_CutInsideTheQuotedHeader_AbortsToWorkerZero()
    {
        // A client whose worker is not 0, so that "aborted to 0" cannot pass by chance.
        ushort port = 41000;
        while (FanoutProgram.WorkerFor(Address("198.51.100.9"), port, 4) == 0) port++;
        byte[] error = IcmpError("203.0.113.1", "192.0.2.10", 3, 4, Tcp("192.0.2.10", 80, "198.51.100.9", port));
        Assert.NotEqual(0u, CbpfInterpreter.Run(Public4.Instructions, error));   // whole, it goes to the client's worker
        Assert.Equal(0u, CbpfInterpreter.Run(Public4.Instructions, error.AsSpan(0, 14 + 20 + 8 + 10).ToArray()));
    }
}
