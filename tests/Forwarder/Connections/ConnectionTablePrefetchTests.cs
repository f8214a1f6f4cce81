using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;
using UserLvs.Tests.Shared;
using static UserLvs.Forwarder.Tests.Connections.ConnectionKit;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>
/// The staged prefetch of a receive batch is a hint only: whatever is prefetched, present or absent,
/// the table holds the same connections and every lookup answers as it would have without it; and
/// it allocates nothing.
/// </summary>
public class ConnectionTablePrefetchTests
{
    [Fact]
    public void PrefetchingABatch_ChangesNoAnswer_ForPresentOrAbsentKeys()
    {
        var table = Table(capacity: 512);
        var server = Server(2);
        var added = new Dictionary<ushort, int>();
        for (ushort port = 1000; port < 1400; port += 2) added[port] = table.Add(server, now: 0, port: port);
        int count = table.Count;

        // Every port from 1000 to 1399: the even ones exist, the odd ones do not.
        var tagsIn = new uint[400];
        var tagsOut = new uint[400];
        for (int i = 0; i < 400; i++)
        {
            tagsIn[i] = table.PrefetchInbound(Protocol.Tcp, Client, (ushort)(1000 + i), Vip, 80);
            tagsOut[i] = table.PrefetchOutbound(Protocol.Tcp, server.Address, 8080, Client, (ushort)(1000 + i));
        }
        for (int i = 0; i < 400; i++)
        {
            table.PrefetchInboundEntry(tagsIn[i]);
            table.PrefetchOutboundEntry(tagsOut[i]);
        }

        Assert.Equal(count, table.Count);
        for (int i = 0; i < 400; i++)
        {
            ushort port = (ushort)(1000 + i);
            int expected = added.TryGetValue(port, out int index) ? index : ConnectionTable.NotFound;
            Assert.Equal(expected, table.LookupInbound(Protocol.Tcp, Client, port, Vip, 80, Ack, 0));
            Assert.Equal(expected, table.LookupOutbound(Protocol.Tcp, server.Address, 8080, Client, port, 0));
        }
    }

    [Fact]
    public void Prefetching_AllocatesNothing()
    {
        var table = Table(capacity: 512);
        var server = Server(2);
        for (ushort port = 1000; port < 1100; port++) table.Add(server, now: 0, port: port);
        void Round()
        {
            for (int i = 0; i < 10_000; i++)
            {
                uint tag = table.PrefetchInbound(Protocol.Tcp, Client, (ushort)(1000 + i % 200), Vip, 80);
                table.PrefetchInboundEntry(tag);
            }
        }
        Round();
        Assert.Equal(0, SteadyStateAllocations.OfQuietestRound(Round));
    }
}
