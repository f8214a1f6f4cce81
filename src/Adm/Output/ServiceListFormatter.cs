using System.Globalization;
using UserLvs.Adm.Cli;
using UserLvs.Adm.Names;
using UserLvs.Scheduling;

namespace UserLvs.Adm.Output;

/// <summary>
/// ipvsadm 1.31's list_all / list_service / print_title / print_service_entry, byte for byte:
///   header  "IP Virtual Server version 1.2.1 (size=N)" (list of all, not -S, not -L -t)
///   title   by format: --stats, --rate, --thresholds, --persistent-conn, --tun-info, plain; none for -S
///   service "%-4s %s" of protocol and host:port cut to 33 columns, then the scheduler, " (flags)",
///           " persistent T", " mask M" (plain); "%-33s" and five scaled numbers (--stats, --rate);
///           "-A -t host:port -s sched -p T -M mask -b flags" (-S)
///   server  "  -> %-28s" (name cut to 28) and the columns of the format, or "-a ... -r ... -m -w W" (-S)
/// Services and servers are sorted as ipvsadm sorts them unless --nosort (<see cref="IpvsSort"/>).
/// </summary>
internal sealed class ServiceListFormatter(INameResolver names, TextWriter output)
{
    public void WriteAll(ServiceTableInfo table, ListFormat format)
    {
        if ((format & ListFormat.Rule) == 0)
            output.Write($"IP Virtual Server version 1.2.1 (size={table.ConnectionTableSize})\n");
        var services = (format & ListFormat.NoSort) != 0 ? table.Services.ToArray() : IpvsSort.Services(table.Services);
        WriteTitle(format);
        foreach (var service in services) WriteService(service, format);
    }

    public void WriteOne(ServiceInfo service, ListFormat format)
    {
        WriteTitle(format);
        WriteService(service, format);
    }

    private void WriteTitle(ListFormat format)
    {
        const string Local = "Prot LocalAddress:Port";
        const string Remote = "  -> RemoteAddress:Port\n";
        if ((format & ListFormat.Stats) != 0)
            output.Write($"{Local,-33} {"Conns",8} {"InPkts",8} {"OutPkts",8} {"InBytes",8} {"OutBytes",8}\n{Remote}");
        else if ((format & ListFormat.Rate) != 0)
            output.Write($"{Local,-33} {"CPS",8} {"InPPS",8} {"OutPPS",8} {"InBPS",8} {"OutBPS",8}\n{Remote}");
        else if ((format & ListFormat.Thresholds) != 0)
            output.Write($"{Local,-33} {"Uthreshold",-10} {"Lthreshold",-10} {"ActiveConn",-10} {"InActConn",-10}\n{Remote}");
        else if ((format & ListFormat.PersistentConn) != 0)
            output.Write($"{Local,-33} {"Weight",-9} {"PersistConn",-11} {"ActiveConn",-10} {"InActConn",-10}\n{Remote}");
        else if ((format & ListFormat.TunInfo) != 0)
            output.Write("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
        else if ((format & ListFormat.Rule) == 0)
            output.Write("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
    }

    private void WriteService(ServiceInfo service, ListFormat format)
    {
        var s = service.Settings;
        bool numeric = (format & ListFormat.Numeric) != 0;
        bool exact = (format & ListFormat.Exact) != 0;
        string vname = AddressNames.Format(names, s.Address, s.Port, s.Protocol, numeric);
        bool rule = (format & ListFormat.Rule) != 0;
        string serviceName = rule
            ? $"{(s.Protocol == Protocol.Udp ? "-u" : "-t")} {vname}"
            : AddressNames.Cut($"{s.Protocol.ToIpvsName(),-4} {vname}", 33);
        bool hasFlags = (s.SchedulerFlags & (SchedulerFlags.Flag1 | SchedulerFlags.Flag2 | SchedulerFlags.Flag3)) != 0;
        string netmask = NormalisedMask(s.Netmask);

        if (rule)
        {
            output.Write($"-A {serviceName} -s {s.Scheduler}");
            if (s.IsPersistent)
            {
                output.Write($" -p {s.PersistentTimeout}");
                if (netmask != ServiceSettings.AllOnes) output.Write($" -M {netmask}");
            }
            if (hasFlags) output.Write($" -b {SchedulerFlagNames.Format(s.Scheduler, s.SchedulerFlags)}");
        }
        else if ((format & ListFormat.Stats) != 0)
        {
            output.Write($"{serviceName,-33}");
            WriteNumbers(exact, service.Stats.Connections, service.Stats.InPackets, service.Stats.OutPackets,
                service.Stats.InBytes, service.Stats.OutBytes);
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            output.Write($"{serviceName,-33}");
            WriteNumbers(exact, service.Stats.ConnectionRate, service.Stats.InPacketRate, service.Stats.OutPacketRate,
                service.Stats.InByteRate, service.Stats.OutByteRate);
        }
        else
        {
            output.Write($"{serviceName} {s.Scheduler}");
            if (hasFlags) output.Write($" ({SchedulerFlagNames.Format(s.Scheduler, s.SchedulerFlags)})");
            if (s.IsPersistent)
            {
                output.Write($" persistent {s.PersistentTimeout}");
                if (netmask != ServiceSettings.AllOnes) output.Write($" mask {netmask}");
            }
        }
        output.Write('\n');

        var servers = (format & ListFormat.NoSort) != 0 ? service.Servers.ToArray() : IpvsSort.Servers(service.Servers);
        foreach (var server in servers) WriteServer(serviceName, s.Protocol, server, format);
    }

    private void WriteServer(string serviceName, Protocol protocol, ServerInfo server, ListFormat format)
    {
        var d = server.Settings;
        bool exact = (format & ListFormat.Exact) != 0;
        string dname = AddressNames.Format(names, d.Address, d.Port, protocol, (format & ListFormat.Numeric) != 0);
        if ((format & ListFormat.Rule) != 0)
        {
            output.Write($"-a {serviceName} -r {dname} {Switch(d.ForwardingMethod)} -w {d.Weight}");
            // ipvsadm names the tunnel type of a tunnelling server; UserLvs's tunnels would be ipip.
            output.Write(d.ForwardingMethod == ForwardingMethod.Tunnel ? " --tun-type ipip\n" : "\n");
            return;
        }
        dname = AddressNames.Cut(dname, 28);
        if ((format & ListFormat.Stats) != 0)
        {
            output.Write($"  -> {dname,-28}");
            WriteNumbers(exact, server.Stats.Connections, server.Stats.InPackets, server.Stats.OutPackets,
                server.Stats.InBytes, server.Stats.OutBytes);
            output.Write('\n');
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            // The three per-second packet and connection rates are printed unscaled, in 8 columns.
            output.Write($"  -> {dname,-28} {server.Stats.ConnectionRate,8} {server.Stats.InPacketRate,8} {server.Stats.OutPacketRate,8}");
            WriteNumbers(exact, server.Stats.InByteRate, server.Stats.OutByteRate);
            output.Write('\n');
        }
        else if ((format & ListFormat.Thresholds) != 0)
        {
            output.Write($"  -> {dname,-28} {d.UpperThreshold,-10} {d.LowerThreshold,-10} {server.ActiveConnections,-10} {server.InactiveConnections,-10}\n");
        }
        else if ((format & ListFormat.PersistentConn) != 0)
        {
            output.Write($"  -> {dname,-28} {(uint)d.Weight,-9} {server.PersistentConnections,-11} {server.ActiveConnections,-10} {server.InactiveConnections,-10}\n");
        }
        else if ((format & ListFormat.TunInfo) != 0)
        {
            string tunnel = d.ForwardingMethod == ForwardingMethod.Tunnel ? "ipip" : "n/a";
            output.Write($"  -> {dname,-28} {Name(d.ForwardingMethod),-7} {tunnel,-13} {d.Weight,-6} {server.ActiveConnections,-10} {server.InactiveConnections,-10}\n");
        }
        else
        {
            output.Write($"  -> {dname,-28} {Name(d.ForwardingMethod),-7} {d.Weight,-6} {server.ActiveConnections,-10} {server.InactiveConnections,-10}\n");
        }
    }

    private void WriteNumbers(bool exact, params ReadOnlySpan<ulong> values)
    {
        foreach (var value in values) output.Write(LargeNumber.Format(value, exact));
    }

    /// <summary>ipvsadm's fwd_name.</summary>
    private static string Name(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Masquerade => "Masq",
        ForwardingMethod.Tunnel => "Tunnel",
        _ => "Route",
    };

    /// <summary>ipvsadm's fwd_switch.</summary>
    private static string Switch(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Masquerade => "-m",
        ForwardingMethod.Tunnel => "-i",
        _ => "-g",
    };

    private static string NormalisedMask(string mask) =>
        IPv4Address.TryParse(mask, out var parsed) ? parsed.ToString() : mask;
}
