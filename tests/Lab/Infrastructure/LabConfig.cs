using System.Text;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// The lvs.cf a lab test runs: lab/demo.cf's shape (one router, no heartbeat, LVS-NAT with
/// nat_router 10.0.0.1 on priv0) with the HTTP service's scheduler, persistence and weights chosen
/// by the test, plus the UDP echo service (rr on 5353). Servers are written s1, s2, s3, so, as
/// ipvsadm adds them in that order and IPVS lists the newest first, s3 is first in the table.
/// </summary>
public static class LabConfig
{
    public static string Text(string httpScheduler, int persistent = 0, IReadOnlyList<int>? weights = null)
    {
        var text = new StringBuilder(SingleRouterGlobals);
        text.Append("""
            virtual http {
                active = 1
                address = 192.0.2.10 pub0:1
                port = 80
                protocol = tcp

            """);
        text.Append($"    scheduler = {httpScheduler}\n");
        if (persistent > 0) text.Append($"    persistent = {persistent}\n");
        AppendServers(text, weights);
        text.Append("""
            }

            virtual echo {
                active = 1
                address = 192.0.2.10 pub0:1
                port = 5353
                protocol = udp
                scheduler = rr

            """);
        AppendServers(text, null);
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>The global part of a one-router lab's lvs.cf: no heartbeat, nat_router 10.0.0.1 on priv0.</summary>
    public const string SingleRouterGlobals = """
            serial_no = 1
            primary = 192.0.2.1
            service = lvs
            heartbeat = 0
            network = nat
            nat_router = 10.0.0.1 priv0
            nat_nmask = 255.255.255.0

            """;

    /// <summary>One <c>server sN</c> block of a virtual: the lab's real server N (10.0.0.1N), active, with its weight.</summary>
    public static string Server(int number, int weight = 1) =>
        $"    server s{number} {{\n        address = 10.0.0.{10 + number}\n        active = 1\n        weight = {weight}\n    }}\n";

    private static void AppendServers(StringBuilder text, IReadOnlyList<int>? weights)
    {
        for (int i = 1; i <= 3; i++) text.Append(Server(i, weights is null ? 1 : weights[i - 1]));
    }
}
