using System.Net.NetworkInformation;
using System.Net.Sockets;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Kernel;

/// <summary>What the kernel says about an interface of this network namespace: its IPv4 addresses and gateway.</summary>
public static class InterfaceAddresses
{
    /// <summary>The interface's first IPv4 address and netmask, or null when it has none.</summary>
    public static (IPv4Address Address, IPv4Address Netmask)? FirstIPv4(string device)
    {
        foreach (var unicast in Find(device).GetIPProperties().UnicastAddresses)
            if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                return (IPv4Address.Parse(unicast.Address.ToString()), IPv4Address.FromPrefixLength(unicast.PrefixLength));
        return null;
    }

    /// <summary>Every IPv4 address of every interface in this namespace (pulse finds its router among them).</summary>
    public static IReadOnlyList<IPv4Address> All() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(u => IPv4Address.Parse(u.Address.ToString()))
            .ToList();

    public static bool Has(string device, IPv4Address address) =>
        Find(device).GetIPProperties().UnicastAddresses.Any(u => u.Address.ToString() == address.ToString());

    /// <summary>The default gateway reached through the interface, if any.</summary>
    public static IPv4Address? Gateway(string device) =>
        Find(device).GetIPProperties().GatewayAddresses
            .Where(g => g.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(g => (IPv4Address?)IPv4Address.Parse(g.Address.ToString()))
            .FirstOrDefault();

    private static NetworkInterface Find(string device) =>
        NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device)
        ?? throw new InvalidOperationException($"no network interface '{device}' in this namespace");
}
