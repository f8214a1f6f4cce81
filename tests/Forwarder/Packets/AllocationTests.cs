using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Tests.Packets;

/// <summary>The hot path allocates nothing: parse and rewrite stay on the stack and in the frame.</summary>
public class AllocationTests
{
    private static readonly IPv4Address Vip = IPv4Address.Parse(Frames.Vip);
    private static readonly IPv4Address Rip = IPv4Address.Parse(Frames.Rip);

    // Request in, dnat; then the same frame as its reply, snat back: the frame ends as it began.
    private static int ParseAndRewrite(byte[][] frames, int count)
    {
        int forwarded = 0;
        for (int i = 0; i < count; i++)
        {
            var frame = frames[i % frames.Length];
            if (EthernetFrame.TryParse(frame, out var eth) != DropReason.None) continue;
            if (Ipv4Header.TryParse(eth.Payload, out var ip) != DropReason.None || ip.IsFragment) continue;
            var status = (i & 1) == 0 ? ChecksumStatus.Complete : ChecksumStatus.Partial;
            if (ip.Protocol == IpProtocol.Tcp && TcpHeader.TryParse(ip.Payload, out var tcp) == DropReason.None)
            {
                Ipv4Rewrite.SetDestination(ip, tcp, Rip, 8080, status);
                Ipv4Rewrite.SetDestination(ip, tcp, Vip, 80, status);
                forwarded++;
            }
            else if (ip.Protocol == IpProtocol.Udp && UdpHeader.TryParse(ip.Payload, out var udp) == DropReason.None)
            {
                Ipv4Rewrite.SetDestination(ip, udp, Rip, 8080, status);
                Ipv4Rewrite.SetDestination(ip, udp, Vip, 80, status);
                forwarded++;
            }
            eth.SetDestination(eth.Destination);
        }
        return forwarded;
    }

    [Fact]
    public void ParseAndRewrite_Of100000Frames_AllocatesNothing()
    {
        byte[][] frames =
        [
            Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(0)),
            Frames.Udp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(33)),
            Frames.WithVlan(Frames.Tcp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(1460)), 0x0064),
            Frames.Udp(Frames.Client, 40000, Frames.Vip, 80, Frames.Payload(512)),
        ];
        var original = frames.Select(f => (byte[])f.Clone()).ToArray();
        ParseAndRewrite(frames, 20_000);   // warm-up: let the JIT finish its tiers

        long before = GC.GetAllocatedBytesForCurrentThread();
        int forwarded = ParseAndRewrite(frames, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100_000, forwarded);
        Assert.Equal(0, allocated);
        for (int i = 0; i < frames.Length; i++) Assert.Equal(original[i], frames[i]);   // rewrites undo exactly
    }
}
