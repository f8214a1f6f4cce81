using UserLvs.Forwarder.IO;
using UserLvs.Forwarder.Packets;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>ARP around NAT: answering for the VIPs (and, when asked, the NAT router address), learning neighbours, asking for an unresolved next hop.</summary>
public sealed partial class NatEngine
{
    private FrameVerdict ArpFromPublic(EthernetFrame ethernet, int link, long now)
    {
        var reason = ArpPacket.TryParse(ethernet.Payload, out var arp);
        if (reason != DropReason.None) return Drop(reason);
        _neighbours.Learn(arp.SenderIp, arp.SenderMac, now);
        if (!_owned || arp.Operation != ArpOperation.Request || arp.IsGratuitous || !_snapshot.VirtualAddresses.Contains(arp.TargetIp)
            || _vipLinks.LinkOf(arp.TargetIp) != link)
            return ToKernel();
        return AnswerArp(_publics[link], _router.PublicLinks[link].Mac, arp);
    }

    private FrameVerdict ArpFromPrivate(EthernetFrame ethernet, long now)
    {
        if (ArpPacket.TryParse(ethernet.Payload, out var arp) != DropReason.None) return ToKernel();
        _neighbours.Learn(arp.SenderIp, arp.SenderMac, now);
        // Unless told to answer for the NAT router address, the kernel owns it (the daemon put it on the device).
        if (!AnswerNatRouterArp || !_owned || arp.Operation != ArpOperation.Request || arp.IsGratuitous
            || arp.TargetIp != _router.NatRouterAddress)
            return ToKernel();
        return AnswerArp(_private, _router.PrivateMac, arp);
    }

    /// <summary>"TARGET is at <paramref name="mac"/>", unicast to the asker, out of the port it asked on.</summary>
    private FrameVerdict AnswerArp(IFrameIo port, MacAddress mac, ArpPacket request)
    {
        var tx = port.AcquireTx();
        if (tx.Length < ArpPacket.FrameLength) return Drop(DropReason.TransmitRingFull);
        int length = ArpPacket.WriteReply(tx, mac, request.TargetIp, request.SenderMac, request.SenderIp);
        port.CommitTx(length);
        Stats.Answered++;
        return FrameVerdict.Answered;
    }

    /// <summary>The next hop is not resolved yet: ask for it (once per second at most) and drop; TCP and the client retransmit.</summary>
    private FrameVerdict Unresolved(IFrameIo port, MacAddress ourMac, IPv4Address ourAddress, IPv4Address target, long now)
    {
        if (_neighbours.ShouldRequest(target, now))
        {
            var tx = port.AcquireTx();
            if (tx.Length >= ArpPacket.FrameLength)
            {
                port.CommitTx(ArpPacket.WriteRequest(tx, ourMac, ourAddress, target));
                Stats.ArpRequestsSent++;
            }
        }
        return Drop(DropReason.NeighbourUnresolved);
    }
}
