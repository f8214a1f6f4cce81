using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;
using UserLvs.Tests.Shared;
using static UserLvs.Forwarder.Tests.Connections.ConnectionKit;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>
/// The prefetch of a receive batch is a hint only: whatever is prefetched, present or absent,
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
        for (ushort port = 1000; port < 1400; port += 2) table.Add(server, now: 0, port: port);
        int count = table.Count;
        var before = Enumerable.Range(0, 400).Select(i => table.LookupInbound(Protocol.Tcp, Client, (ushort)(1000 + i), Vip, 80, Ack, 0)).ToArray();

        // Every port from 1000 to 1399: the even ones exist, the odd ones do not.
        for (int i = 0; i < 400; i++) table.Prefetch(Protocol.Tcp, Client, (ushort)(1000 + i));

        Assert.Equal(count, table.Count);
        for (int i = 0; i < 400; i++)
        {
            ushort port = (ushort)(1000 + i);
            int found = table.LookupInbound(Protocol.Tcp, Client, port, Vip, 80, Ack, 0);
            Assert.Equal(before[i], found);
            Assert.Equal(i % 2 == 0, found != ConnectionTable.NotFound);
            if (found != ConnectionTable.NotFound) Assert.Equal(port, table[found].ClientPort);
            Assert.Equal(found, table.LookupOutbound(Protocol.Tcp, server.Address, 8080, Client, port, 0));
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
                table.Prefetch(Protocol.Tcp, Client, (ushort)(1000 + i % 200));
            }
        }
        Round();
        Assert.Equal(0, SteadyStateAllocations.OfQuietestRound(Round));
    }
}
