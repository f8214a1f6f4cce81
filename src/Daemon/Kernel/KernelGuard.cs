using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Kernel;

/// <summary>
/// Keeps the router's kernel out of the traffic UserLvs owns (DESIGN.md §4). AF_PACKET sees every
/// frame before the kernel's IP stack does, so dropping it right after that leaves UserLvs its copy
/// while the kernel neither answers it (no RST, no ICMP for a VIP:port) nor forwards a second copy of
/// a real server's reply. The drop sits at each device's netdev ingress hook, which runs after the
/// packet taps and before IP: a dropped frame costs the kernel no ip_rcv, no routing and no
/// prerouting hook (perf on the HTTP lab run: nft_do_chain_inet, mostly the old prerouting drop, was ~3% of the CPU):
///
///   table netdev userlvsd, one ingress chain per device, priority -500:
///     each public device:   ip daddr @vips                                drop
///     the private device:   ip saddr @real_servers, daddr not local       drop
///
/// The sets follow the service table. The table is created at start (replacing one a killed daemon
/// left behind, and the inet table older versions installed) and deleted at stop. The NAT router
/// address is added to the private device when it is missing (as Piranha's lvs brings it up on the
/// active router) and removed at stop if we added it.
/// </summary>
public sealed class KernelGuard : IDisposable
{
    private const string Table = "userlvsd";
    private readonly IReadOnlyList<string> _publics;
    private readonly string _private;
    private readonly ILogger _log;
    private string? _addedNatAddress;

    public KernelGuard(IReadOnlyList<string> publicDevices, string privateDevice, ILogger log)
    {
        _publics = publicDevices;
        _private = privateDevice;
        _log = log;
    }

    public void Install(ServiceTableSnapshot snapshot)
    {
        var script = new StringBuilder();
        script.AppendLine($"table inet {Table} {{}}");   // what versions before the netdev table installed
        script.AppendLine($"delete table inet {Table}");
        script.AppendLine($"table netdev {Table} {{}}");
        script.AppendLine($"delete table netdev {Table}");
        script.AppendLine($"table netdev {Table} {{");
        script.AppendLine("  set vips { type ipv4_addr; }");
        script.AppendLine("  set real_servers { type ipv4_addr; }");
        for (int i = 0; i < _publics.Count; i++)
            AppendChain(script, $"public{i}", _publics[i], "ip daddr @vips drop");
        AppendChain(script, "private", _private, "ip saddr @real_servers fib daddr type != local drop");
        script.AppendLine("}");
        AppendElements(script, snapshot);
        Nft(script.ToString());
        _log.LogInformation("kernel guard installed: nftables table netdev {Table} keeps the kernel off VIP traffic", Table);
    }

    private static void AppendChain(StringBuilder script, string name, string device, string rule)
    {
        script.AppendLine($"  chain {name} {{");
        script.AppendLine($"    type filter hook ingress device \"{device}\" priority -500; policy accept;");
        script.AppendLine($"    {rule}");
        script.AppendLine("  }");
    }

    /// <summary>Brings the sets in line with a newly published table.</summary>
    public void Update(ServiceTableSnapshot snapshot)
    {
        var script = new StringBuilder();
        script.AppendLine($"flush set netdev {Table} vips");
        script.AppendLine($"flush set netdev {Table} real_servers");
        AppendElements(script, snapshot);
        Nft(script.ToString());
    }

    /// <summary>Makes sure the real servers' gateway address lives on the private device.</summary>
    public void EnsureNatRouterAddress(IPv4Address address, IPv4Address netmask)
    {
        if (InterfaceAddresses.Has(_private, address)) return;
        int prefix = netmask.PrefixLength < 0 ? 32 : netmask.PrefixLength;
        Run("ip", $"addr add {address}/{prefix} dev {_private}");
        _addedNatAddress = $"{address}/{prefix}";
        _log.LogInformation("added the NAT router address {Address} to {Device}", _addedNatAddress, _private);
    }

    public void Dispose()
    {
        try { Nft($"delete table netdev {Table}\n"); } catch (Exception e) { _log.LogWarning("removing nftables table: {Error}", e.Message); }
        if (_addedNatAddress is not null)
        {
            try { Run("ip", $"addr del {_addedNatAddress} dev {_private}"); } catch (Exception e) { _log.LogWarning("{Error}", e.Message); }
        }
    }

    private static void AppendElements(StringBuilder script, ServiceTableSnapshot snapshot)
    {
        var vips = snapshot.VirtualAddresses.Select(a => a.ToString()).Order().ToList();
        var servers = snapshot.Services.SelectMany(s => s.RealServers).Select(r => r.Address.ToString()).Distinct().Order().ToList();
        if (vips.Count > 0) script.AppendLine($"add element netdev {Table} vips {{ {string.Join(", ", vips)} }}");
        if (servers.Count > 0) script.AppendLine($"add element netdev {Table} real_servers {{ {string.Join(", ", servers)} }}");
    }

    private static void Nft(string script) => Run("nft", "-f -", script);

    private static void Run(string file, string arguments, string? input = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot run {file}");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(10_000)) { process.Kill(); throw new InvalidOperationException($"{file} {arguments} did not finish"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed: {error.Trim()}");
    }
}
