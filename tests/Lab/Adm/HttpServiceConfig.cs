using System.Text;
using UserLvs.Lab.Tests.Infrastructure;
using System.Text.RegularExpressions;

namespace UserLvs.Lab.Tests.Adm;

/// <summary>
/// The lvs.cf of the userlvs-adm lab tests: lab/demo.cf's router (no heartbeat, LVS-NAT, nat_router
/// 10.0.0.1 on priv0) with one virtual service, HTTP on 192.0.2.10:80, and the real servers the test
/// names (s1..s3 at 10.0.0.11..13), written in the order given. Also the one transformation the tests
/// need on ipvsadm's listing: the connection counters dropped, where traffic makes them vary.
/// </summary>
internal static partial class HttpServiceConfig
{
    public static string Text(string scheduler, params (int Server, int Weight)[] servers)
    {
        var text = new StringBuilder(LabConfig.SingleRouterGlobals);
        text.Append("""
            virtual http {
                active = 1
                address = 192.0.2.10 pub0:1
                port = 80
                protocol = tcp

            """);
        text.Append($"    scheduler = {scheduler}\n");
        foreach (var (server, weight) in servers)
            text.Append(LabConfig.Server(server, weight));
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>`ipvsadm -L -n` with each server line's ActiveConn and InActConn columns removed.</summary>
    public static string WithoutCounters(string listing) => ServerCounters().Replace(listing, "$1");

    [GeneratedRegex(@"^(  -> \S+ +\S+ +\d+) +\d+ +\d+ *$", RegexOptions.Multiline)]
    private static partial Regex ServerCounters();
}
