using System.Buffers.Binary;
using UserLvs.Forwarder.IO;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Nat;

/// <summary>
/// The connection lookups of a receive batch, started before the batch is handled
/// (<see cref="Connections.ConnectionTable"/>'s prefetch): every frame's home slot is asked for
/// first, so the cache misses of a large table overlap instead of queueing.
/// Only the key is read here (Ethernet, an optional 802.1Q tag, IPv4, the ports), without any of
/// the checks the real handling makes; a frame that is not a plain TCP/UDP datagram is skipped. A
/// hint can never change a verdict. Worth it only for batches: a lone frame gains nothing, so the
/// worker calls it for batches of <see cref="MinimumBatch"/> frames or more.
/// </summary>
public sealed partial class NatEngine
{
    /// <summary>The smallest batch worth prefetching for.</summary>
    public const int MinimumBatch = 4;

    /// <summary>Starts the lookups of client frames that arrived on a public port (client -> VIP).</summary>
    public void PrefetchFromPublic(ReadOnlySpan<RxFrame> frames) => Prefetch(frames, clientIsSource: true);

    /// <summary>Starts the lookups of real servers' replies that arrived on the private port (RIP -> client).</summary>
    public void PrefetchFromPrivate(ReadOnlySpan<RxFrame> frames) => Prefetch(frames, clientIsSource: false);

    // The table finds both directions by the client's endpoint: a client frame's source, a reply's destination.
    private void Prefetch(ReadOnlySpan<RxFrame> frames, bool clientIsSource)
    {
        foreach (ref readonly var frame in frames)
        {
            if (!TryReadKey(frame.Data, out var protocol, out uint source, out ushort sourcePort, out uint destination, out ushort destinationPort))
                continue;
            if (clientIsSource) _connections.Prefetch(protocol, new IPv4Address(source), sourcePort);
            else _connections.Prefetch(protocol, new IPv4Address(destination), destinationPort);
        }
    }

    private static bool TryReadKey(ReadOnlySpan<byte> frame, out Protocol protocol, out uint source, out ushort sourcePort,
        out uint destination, out ushort destinationPort)
    {
        protocol = default;
        source = destination = 0;
        sourcePort = destinationPort = 0;
        if (frame.Length < 14) return false;
        int l3 = 14;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (etherType == 0x8100 && frame.Length >= 18)
        {
            l3 = 18;
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
        }
        if (etherType != 0x0800) return false;
        var ip = frame[l3..];
        if (ip.Length < 20) return false;
        int headerLength = (ip[0] & 0x0f) * 4;
        if (headerLength < 20 || ip.Length < headerLength + 4) return false;
        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3fff) != 0) return false;   // fragments are dropped anyway
        switch (ip[9])
        {
            case 6: protocol = Protocol.Tcp; break;
            case 17: protocol = Protocol.Udp; break;
            default: return false;
        }
        source = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
        destination = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(ip[headerLength..]);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(ip[(headerLength + 2)..]);
        return true;
    }
}
