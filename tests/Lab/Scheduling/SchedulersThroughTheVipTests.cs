using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Scheduling;

/// <summary>
/// The schedulers as a client sees them through the VIP, with the real daemon in the router and
/// real HTTP servers behind it. Servers s1, s2, s3 are added in that order, so IPVS's list (newest
/// first) is s3, s2, s1: every sequence below is the one the kernel's IPVS gives for that table.
/// </summary>
public sealed class SchedulersThroughTheVipTests : IDisposable
{
    private readonly LvsLab _lab;

    public SchedulersThroughTheVipTests(ITestOutputHelper output) => _lab = LvsLab.Up(output);

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void Rr_SixNewConnections_AreAnsweredInListOrderS3S2S1Twice()
    {
        _lab.StartDaemon(LabConfig.Text("rr"));

        var servers = _lab.ServersAnswering(6);

        Assert.Equal(["s3", "s2", "s1", "s3", "s2", "s1"], servers);
    }

    [LabFact]
    public void Wrr_Weights1_2_3_SixtyConnectionsSplit10_20_30InIpvsCycle()
    {
        _lab.StartDaemon(LabConfig.Text("wrr", weights: [1, 2, 3]));

        var servers = _lab.ServersAnswering(60);

        // ip_vs_wrr: the current weight starts at the maximum (3) and steps down by the gcd (1); each
        // round serves, in list order, the servers whose weight reaches it: {s3} {s3,s2} {s3,s2,s1}.
        string[] cycle = ["s3", "s3", "s2", "s3", "s2", "s1"];
        for (int i = 0; i < servers.Count; i++)
            Assert.True(servers[i] == cycle[i % cycle.Length], $"connection {i + 1}: {servers[i]}, expected {cycle[i % cycle.Length]}; all: {string.Join(' ', servers)}");
        Assert.Equal(10, servers.Count(s => s == "s1"));
        Assert.Equal(20, servers.Count(s => s == "s2"));
        Assert.Equal(30, servers.Count(s => s == "s3"));
    }

    [LabFact]
    public void Sh_EachClientAddress_AlwaysReachesOneServer_WhateverItsSourcePort()
    {
        _lab.StartDaemon(LabConfig.Text("sh"));
        _lab.AddClientAddress("192.0.2.101");
        _lab.AddClientAddress("192.0.2.103");

        // ip_vs_sh without sh-port hashes the address only: bucket = hash_32(ntohl(addr), 8), and the
        // 256 buckets are dealt round the list s3, s2, s1, so server = list[bucket % 3]:
        //   192.0.2.100 -> bucket 3 -> s3,  .101 -> 101 -> s1,  .103 -> 40 -> s2.
        var expected = new Dictionary<string, string> { ["192.0.2.100"] = "s3", ["192.0.2.101"] = "s1", ["192.0.2.103"] = "s2" };
        foreach (var (client, server) in expected)
        {
            var answers = _lab.Connections(8, client);

            string seen = string.Join(' ', answers.Select(a => $"{a.Server}(port {a.LocalPort})"));
            Assert.True(answers.Select(a => a.LocalPort).Distinct().Count() == answers.Count, $"{client} reused a source port: {seen}");
            Assert.True(answers.All(a => a.Server == server), $"{client} reached {seen}; expected {server} every time");
        }
    }

    [LabFact]
    public void Persistent300_ManyConnectionsFromOneClient_AllReachTheServerOfItsFirst()
    {
        _lab.StartDaemon(LabConfig.Text("rr", persistent: 300));
        _lab.AddClientAddress("192.0.2.101");

        // The first connection of 192.0.2.100 takes rr's first pick (s3) and makes a persistence
        // template; 192.0.2.101's first takes the next pick (s2). Every later connection, whatever
        // its port and however the two clients interleave, follows its client's template.
        var first = new List<string>();
        var second = new List<string>();
        for (int round = 0; round < 3; round++)
        {
            first.AddRange(_lab.ServersAnswering(8, "192.0.2.100"));
            second.AddRange(_lab.ServersAnswering(8, "192.0.2.101"));
        }

        Assert.True(first.All(s => s == "s3"), $"192.0.2.100 reached {string.Join(' ', first)}");
        Assert.True(second.All(s => s == "s2"), $"192.0.2.101 reached {string.Join(' ', second)}");
    }
}
