using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;
using static UserLvs.Forwarder.Tests.Connections.ConnectionKit;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>IPVS's persistence templates (ip_vs_sched_persist, ip_vs_check_template).</summary>
public class PersistenceTemplateTableTests
{
    private static readonly IPv4Address Neighbour = IPv4Address.Parse("198.51.100.200");   // same /24 as Client
    private static readonly IPv4Address Stranger = IPv4Address.Parse("198.51.101.7");      // another /24

    [Fact]
    public void ClientsOfOneNetwork_StickToTheServerTheFirstOneWasGiven()
    {
        var a = Server(2);
        var b = Server(3);
        var (_, service) = PersistentService(300, "255.255.255.0", a, b);
        var templates = new PersistenceTemplateTable(64);

        Assert.Null(templates.Find(service, Client, 0, out _));
        Assert.Same(b, templates.GetOrAdd(service, Client, b, 0, out int first));
        Assert.Same(b, templates.Find(service, Neighbour, 1000, out int second));
        Assert.Equal(first, second);
        Assert.Null(templates.Find(service, Stranger, 1000, out _));
        Assert.Equal(1, b.Counters.Persistent);
        Assert.Equal(1, templates.Count);
    }

    [Fact]
    public void WithoutANetmask_EachClientAddressHasItsOwnTemplate()
    {
        var a = Server(2);
        var (_, service) = PersistentService(300, "255.255.255.255", a, Server(3));
        var templates = new PersistenceTemplateTable(64);
        templates.GetOrAdd(service, Client, a, 0, out _);
        Assert.Null(templates.Find(service, Neighbour, 0, out _));
        Assert.Same(a, templates.Find(service, Client, 0, out _));
    }

    [Fact]
    public void ANonPersistentService_HasNoTemplates()
    {
        var table = new ServiceTable();
        Assert.Equal(TableResult.Ok, table.AddService(new VirtualServiceConfig(Http)));
        Assert.Equal(TableResult.Ok, table.AddRealServer(Http, Server(2)));
        var templates = new PersistenceTemplateTable(64);
        Assert.Null(templates.GetOrAdd(table.Current.Find(Http)!, Client, Server(2), 0, out int template));
        Assert.Equal(PersistenceTemplateTable.NoTemplate, template);
    }

    [Fact]
    public void ATemplate_ExpiresItsTimeoutAfterItsLastConnectionEnded_NeverWhileOneHoldsIt()
    {
        var a = Server(2);
        var (_, service) = PersistentService(300, "255.255.255.0", a);
        var templates = new PersistenceTemplateTable(64);
        templates.GetOrAdd(service, Client, a, 0, out int first);           // held by connection 1
        templates.Find(service, Neighbour, 10_000, out int second);         // held by connection 2

        // Long after the timeout, the template lives while its connections do.
        Assert.Equal(0, templates.Sweep(1_000_000, 64));
        templates.Release(first, 1_000_000);
        Assert.Equal(0, templates.Sweep(1_200_000, 64));
        templates.Release(second, 1_200_000);                               // the last connection ends
        Assert.Equal(0, templates.Sweep(1_499_999, 64));
        Assert.Same(a, templates.Find(service, Client, 1_499_999, out int third));
        templates.Release(third, 1_499_999);
        Assert.Equal(0, templates.Sweep(1_799_998, 64));
        Assert.Equal(1, templates.Sweep(1_799_999, 64));
        Assert.Equal(0, a.Counters.Persistent);
        Assert.Equal(0, templates.Count);
        Assert.Null(templates.Find(service, Client, 1_799_999, out _));
    }

    [Fact]
    public void AnExpiredTemplate_IsNotUsed_EvenBeforeTheSweep()
    {
        var a = Server(2);
        var b = Server(3);
        var (_, service) = PersistentService(60, "255.255.255.0", a, b);
        var templates = new PersistenceTemplateTable(64);
        templates.GetOrAdd(service, Client, a, 0, out int held);
        templates.Release(held, 5_000);
        Assert.Same(a, templates.Find(service, Client, 64_999, out int again));
        templates.Release(again, 64_999);
        Assert.Null(templates.Find(service, Client, 124_999, out _));
        Assert.Equal(0, a.Counters.Persistent);
        Assert.Same(b, templates.GetOrAdd(service, Client, b, 124_999, out _));
    }

    [Fact]
    public void AConnectionThatExpires_StartsItsTemplatesTimeoutWhenItExpired_NotWhenSwept()
    {
        var a = Server(2);
        var (_, service) = PersistentService(300, "255.255.255.0", a);
        var templates = new PersistenceTemplateTable(64);
        var table = Table(templates: templates);

        var server = templates.GetOrAdd(service, Client, a, 0, out int template)!;
        table.Add(server, 0, template: template);
        table.In(Syn, 0);                                   // SYN_RECV: ends at 60 s unless answered
        Assert.Equal(1, table.Sweep(500_000, table.SlotCount));          // swept late
        Assert.Equal(0, templates.Sweep(359_999, 64));
        Assert.Equal(1, templates.Sweep(360_000, 64));       // 60 s + 300 s
    }

    [Fact]
    public void AConnectionTableThatRefusesAConnection_ReleasesItsTemplate()
    {
        var a = Server(2);
        var (_, service) = PersistentService(300, "255.255.255.0", a);
        var templates = new PersistenceTemplateTable(64);
        var table = Table(capacity: 1, templates: templates);
        table.Add(a, 0, port: 1);
        table.In(Syn, 0, port: 1);

        templates.GetOrAdd(service, Client, a, 0, out int template);
        Assert.Equal(ConnectionAddResult.Full, table.TryAdd(Http, Client, 2, a, 0, out _, template));
        Assert.Equal(1, templates.Sweep(300_000, 64));
    }

    [Fact]
    public void AServerRemovedFromTheService_LosesItsPersistentClients()
    {
        var a = Server(2);
        var b = Server(3);
        var (table, service) = PersistentService(300, "255.255.255.0", a, b);
        var templates = new PersistenceTemplateTable(64);
        templates.GetOrAdd(service, Client, a, 0, out int held);

        Assert.Equal(TableResult.Ok, table.DeleteRealServer(Http, a.Address, a.Port));
        var current = table.Current.Find(Http)!;
        Assert.Null(templates.Find(current, Neighbour, 1000, out _));
        Assert.Same(b, templates.GetOrAdd(current, Neighbour, b, 1000, out int fresh));
        Assert.NotEqual(held, fresh);
        Assert.Same(b, templates.Find(current, Client, 2000, out _));

        // The invalidated template still counts until its own connection ends and its timeout passes.
        Assert.Equal(1, a.Counters.Persistent);
        templates.Release(held, 2000);
        Assert.Equal(1, templates.Sweep(302_000, 64));
        Assert.Equal(0, a.Counters.Persistent);
    }

    [Fact]
    public void AQuiescedServer_KeepsItsPersistentClients_AsIpvsDoesByDefault()
    {
        var a = Server(2);
        var (table, service) = PersistentService(300, "255.255.255.0", a, Server(3));
        var templates = new PersistenceTemplateTable(64);
        templates.GetOrAdd(service, Client, a, 0, out _);
        Assert.Equal(TableResult.Ok, table.EditRealServer(Http, a.Address, a.Port, 0, 0, 0, ForwardingMethod.Masquerade));

        var quiesced = templates.Find(table.Current.Find(Http)!, Neighbour, 1000, out _);
        Assert.NotNull(quiesced);
        Assert.Equal((a.Address, 0), (quiesced.Address, quiesced.Weight));   // the snapshot's current object
    }

    [Fact]
    public void WithExpireQuiescentTemplate_AQuiescedServersClientsAreRescheduled()
    {
        var a = Server(2);
        var (table, service) = PersistentService(300, "255.255.255.0", a, Server(3));
        var templates = new PersistenceTemplateTable(64) { ExpireQuiescentTemplate = true };
        templates.GetOrAdd(service, Client, a, 0, out _);
        Assert.Equal(TableResult.Ok, table.EditRealServer(Http, a.Address, a.Port, 0, 0, 0, ForwardingMethod.Masquerade));
        Assert.Null(templates.Find(table.Current.Find(Http)!, Neighbour, 1000, out _));
    }

    [Fact]
    public void Templates_AreListedAsIpvsListsThem()
    {
        var a = Server(2);
        var (_, service) = PersistentService(300, "255.255.255.0", a);
        var templates = new PersistenceTemplateTable(64);
        templates.GetOrAdd(service, Client, a, 0, out int held);
        templates.Release(held, 10_000);
        var lines = new List<ConnectionInfo>();
        Assert.Equal(1, templates.CopyTo(lines, 100_000));
        Assert.Equal(new ConnectionInfo(Protocol.Tcp, "NONE", 210_000, IPv4Address.Parse("198.51.100.0"), 0, Vip, 80, a.Address, 8080, true), lines[0]);
    }

    [Fact]
    public void ConcurrentWorkers_AgreeOnOneServerPerClientNetwork_AndLeaveTheCountersBalanced()
    {
        var servers = Enumerable.Range(2, 4).Select(i => Server(i)).ToArray();
        var (_, service) = PersistentService(1, "255.255.255.0", servers);
        var templates = new PersistenceTemplateTable(1024);
        const int networks = 64;
        var chosen = new RealServer?[networks];
        int disagreements = 0;

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                int network = (i * 7 + worker) % networks;
                var client = new IPv4Address(0xC6336400u + ((uint)network << 8) + (uint)worker);   // 198.51.x.worker
                var server = templates.Find(service, client, 0, out int held)
                    ?? templates.GetOrAdd(service, client, servers[(i + worker) % servers.Length], 0, out held);
                Assert.NotNull(server);
                // Racing first connections may create two templates (as in IPVS); once created,
                // lookups converge on one, so from then on every worker must see the same server.
                if (i > 1000)
                {
                    var first = Interlocked.CompareExchange(ref chosen[network], server, null) ?? server;
                    if (!ReferenceEquals(first, server)) Interlocked.Increment(ref disagreements);
                }
                templates.Release(held, 0);
            }
        });

        Assert.Equal(0, disagreements);
        Assert.Equal(templates.Count, templates.Sweep(1000, templates.Capacity));
        Assert.Equal(0, templates.Count);
        Assert.All(servers, s => Assert.Equal(0, s.Counters.Persistent));
    }
}
