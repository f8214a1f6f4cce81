using System.Net;
using System.Net.Sockets;
using UserLvs.Adm.Names;
using UserLvs.Scheduling;

namespace UserLvs.Adm.Cli;

/// <summary>
/// ipvsadm 1.31's parse_options: the first option must be the command (else "Try `ipvsadm -h'..."),
/// every later one sets one option class once ("multiple 'weight' options specified") and is read
/// and checked at once in argument order ("illegal weight specified"); a command after the first
/// is an "invalid option". Then --set's three values, any word left over ("unexpected argument"),
/// and last the -b flags against the scheduler named. A popt error after the command is not fatal:
/// the caller prints it and the line fails with status 255 (under -R the next line still runs).
/// </summary>
internal sealed class CommandLineParser(INameResolver names, string program)
{
    /// <summary>ipvsadm's MAX_TIMEOUT: 31 days.</summary>
    public const int MaxTimeout = 86400 * 31;

    /// <summary>IPVS_SVC_PERSISTENT_TIMEOUT in ipvsadm 1.31's libipvs.h: 6*60 (its man page says 300; the code sends 360).</summary>
    public const uint DefaultPersistentTimeout = 6 * 60;

    public ParsedCommand? Parse(IReadOnlyList<string> words, out string? poptError)
    {
        poptError = null;
        var ce = new ParsedCommand();
        var scan = new PoptScanner(words);
        var first = scan.Next();
        if (!first.IsOption) throw AdmExit.TryHelp(program);
        ce.Command = first.Option!.Switch switch
        {
            Switch.AddService => AdmCommand.AddService,
            Switch.EditService => AdmCommand.EditService,
            Switch.DeleteService => AdmCommand.DeleteService,
            Switch.AddServer => AdmCommand.AddServer,
            Switch.EditServer => AdmCommand.EditServer,
            Switch.DeleteServer => AdmCommand.DeleteServer,
            Switch.Clear => AdmCommand.Flush,
            Switch.List => AdmCommand.List,
            Switch.Zero => AdmCommand.Zero,
            Switch.Set => AdmCommand.SetTimeouts,
            Switch.Restore => AdmCommand.Restore,
            Switch.Save => AdmCommand.Save,
            Switch.StartDaemon => first.Argument is "master" or "backup"
                ? AdmCommand.StartDaemon : throw AdmExit.Fail("illegal start-daemon parameter specified"),
            Switch.StopDaemon => first.Argument is "master" or "backup"
                ? AdmCommand.StopDaemon : throw AdmExit.Fail("illegal start_daemon specified"),
            Switch.Help => throw new AdmExit(0, standardOutput: Usage.Text(program)),
            Switch.Version => throw new AdmExit(0, standardOutput: Usage.VersionLine + "\n"),
            _ => throw AdmExit.TryHelp(program),
        };

        string? schedulerFlags = null;
        PoptScanner.Item item;
        while ((item = scan.Next()).IsOption)
            Apply(ce, item.Option!.Switch, item.Argument, scan.LastWord, ref schedulerFlags);
        if (item.IsError)
        {
            poptError = $"{scan.LastWord}: {item.Error}\n";
            return null;
        }

        if (ce.Command == AdmCommand.SetTimeouts)
        {
            string? tcp = scan.NextLeftover();
            string? tcpFin = tcp is null ? null : scan.NextLeftover();
            string? udp = tcpFin is null ? null : scan.NextLeftover();
            if (tcp is null || tcpFin is null || udp is null) throw AdmExit.Fail("--set option requires 3 timeout values");
            ce.TcpTimeout = (int)Timeout(tcp, 0, MaxTimeout);
            ce.TcpFinTimeout = (int)Timeout(tcpFin, 0, MaxTimeout);
            ce.UdpTimeout = (int)Timeout(udp, 0, MaxTimeout);
        }
        if (scan.NextLeftover() is { } extra) throw AdmExit.Fail($"unexpected argument {extra}");
        if (!string.IsNullOrEmpty(schedulerFlags))
            ce.SchedulerFlags = SchedulerFlagNames.Parse(ce.SchedulerName, schedulerFlags);
        return ce;
    }

    private void Apply(ParsedCommand ce, Switch option, string? arg, string lastWord, ref string? schedulerFlags)
    {
        switch (option)
        {
            case Switch.TcpService or Switch.UdpService or Switch.SctpService:
            {
                Set(ce, AdmOption.Service);
                ce.ProtocolNumber = option switch { Switch.TcpService => 6, Switch.UdpService => 17, _ => 132 };
                var parsed = ServiceAddress.Parse(arg!, ce.Protocol, names);
                if ((parsed.Parts & ServiceAddress.Parsed.Address) == 0)
                    throw AdmExit.Fail("illegal virtual server address[:port] specified");
                if (parsed.IsIPv6) throw AdmExit.Fail(Unsupported.IPv6);
                ce.Address = parsed.Address;
                if ((parsed.Parts & ServiceAddress.Parsed.Port) != 0) ce.Port = parsed.Port;
                break;
            }
            case Switch.FwmarkService:
                Set(ce, AdmOption.Service);
                ce.ProtocolNumber = 6;
                ce.Fwmark = Fwmark(arg!);
                break;
            case Switch.Scheduler:
                Set(ce, AdmOption.Scheduler);
                ce.SchedulerName = arg!.Length > 15 ? arg[..15] : arg; // IP_VS_SCHEDNAME_MAXLEN - 1
                break;
            case Switch.Persistent:
                Set(ce, AdmOption.Persistent);
                ce.Persistent = true;
                ce.PersistentTimeout = arg is null ? DefaultPersistentTimeout : (uint)Timeout(arg, 1, MaxTimeout);
                break;
            case Switch.Netmask:
                Set(ce, AdmOption.Netmask);
                ce.Netmask = ServiceAddress.ParseNetmask(arg!, names)
                    ?? throw AdmExit.Fail("illegal virtual server persistent mask specified");
                break;
            case Switch.RealServer:
            {
                Set(ce, AdmOption.Server);
                var parsed = ServiceAddress.Parse(arg!, ce.Protocol, names);
                if ((parsed.Parts & ServiceAddress.Parsed.Address) == 0)
                    throw AdmExit.Fail("illegal real server address[:port] specified");
                if (parsed.IsIPv6) throw AdmExit.Fail(Unsupported.IPv6);
                ce.ServerAddress = parsed.Address;
                // Without a port the server takes the service's port as known at this point.
                ce.ServerPort = (parsed.Parts & ServiceAddress.Parsed.Port) != 0 ? parsed.Port : ce.Port;
                break;
            }
            case Switch.Masquerading or Switch.Gatewaying or Switch.Ipip:
                Set(ce, AdmOption.Forward);
                ce.ForwardingMethod = option switch
                {
                    Switch.Masquerading => ForwardingMethod.Masquerade,
                    Switch.Gatewaying => ForwardingMethod.DirectRoute,
                    _ => ForwardingMethod.Tunnel,
                };
                break;
            case Switch.Weight:
                Set(ce, AdmOption.Weight);
                ce.Weight = (int)Number(arg!, 0, 65535, "illegal weight specified");
                break;
            case Switch.UThreshold:
                Set(ce, AdmOption.UThreshold);
                ce.UpperThreshold = (uint)Number(arg!, 0, int.MaxValue, "illegal u_threshold specified");
                break;
            case Switch.LThreshold:
                Set(ce, AdmOption.LThreshold);
                ce.LowerThreshold = (uint)Number(arg!, 0, int.MaxValue, "illegal l_threshold specified");
                break;
            case Switch.Connection: Set(ce, AdmOption.Connection); break;
            case Switch.Numeric: SetFormat(ce, AdmOption.Numeric, ListFormat.Numeric); break;
            case Switch.McastInterface: Set(ce, AdmOption.McastInterface); break;
            case Switch.SyncId:
                Set(ce, AdmOption.SyncId);
                Number(arg!, 0, 255, "illegal syncid specified");
                break;
            case Switch.Timeout: Set(ce, AdmOption.Timeout); break;
            case Switch.Daemon: Set(ce, AdmOption.Daemon); break;
            case Switch.Stats: SetFormat(ce, AdmOption.Stats, ListFormat.Stats); break;
            case Switch.Rate: SetFormat(ce, AdmOption.Rate, ListFormat.Rate); break;
            case Switch.Thresholds: SetFormat(ce, AdmOption.Thresholds, ListFormat.Thresholds); break;
            case Switch.PersistentConn: SetFormat(ce, AdmOption.PersistentConn, ListFormat.PersistentConn); break;
            case Switch.NoSort: SetFormat(ce, AdmOption.NoSort, ListFormat.NoSort); break;
            case Switch.Sort: break; // sorting is the default; kept for compatibility
            case Switch.Exact: SetFormat(ce, AdmOption.Exact, ListFormat.Exact); break;
            case Switch.Ipv6:
                // ipvsadm's message ends in its own newline, and fail adds another.
                if (ce.Fwmark == 0) throw AdmExit.Fail("-6 used before -f\n");
                ce.IsIPv6 = true;
                break;
            case Switch.Ops:
                Set(ce, AdmOption.OnePacket);
                ce.OnePacket = true;
                break;
            case Switch.PersistenceEngine: Set(ce, AdmOption.PersistenceEngine); break;
            case Switch.SchedFlags:
                Set(ce, AdmOption.SchedFlags);
                schedulerFlags = arg!.Length > 127 ? arg[..127] : arg;
                break;
            case Switch.McastGroup:
                Set(ce, AdmOption.McastGroup);
                CheckMulticastGroup(arg!);
                break;
            case Switch.McastPort:
                Set(ce, AdmOption.McastPort);
                Number(arg!, 1, 65535, "illegal mcast-port specified");
                break;
            case Switch.McastTtl:
                Set(ce, AdmOption.McastTtl);
                Number(arg!, 1, 255, "illegal mcast-ttl specified");
                break;
            case Switch.SyncMaxlen:
                Set(ce, AdmOption.SyncMaxlen);
                Number(arg!, 1, 65535 - 20 - 8, "illegal sync-maxlen specified");
                break;
            case Switch.TunInfo: SetFormat(ce, AdmOption.TunInfo, ListFormat.TunInfo); break;
            case Switch.TunType:
                Set(ce, AdmOption.TunType);
                ce.TunnelType = OptionMatrix.TunnelType(arg!);
                if (ce.TunnelType < 0) throw AdmExit.Fail("illegal tunnel type specified");
                break;
            case Switch.TunPort:
                Set(ce, AdmOption.TunPort);
                Number(arg!, 1, 65535, "illegal tunnel port specified");
                break;
            case Switch.TunNoCsum: Set(ce, AdmOption.TunNoCsum); break;
            case Switch.TunCsum: Set(ce, AdmOption.TunCsum); break;
            case Switch.TunRemCsum: Set(ce, AdmOption.TunRemCsum); break;
            default:
                // A second command, -h, -v or a daemon switch after the command.
                throw AdmExit.Fail($"invalid option `{lastWord}'");
        }
    }

    private static void Set(ParsedCommand ce, AdmOption option)
    {
        if (ce.Has(option)) throw AdmExit.Fail($"multiple '{option.Name()}' options specified");
        ce.Options |= option.Bit();
    }

    private static void SetFormat(ParsedCommand ce, AdmOption option, ListFormat format)
    {
        Set(ce, option);
        ce.Format |= format;
    }

    private static long Number(string text, long min, long max, string error)
    {
        long value = CNumbers.StringToNumber(text, min, max);
        return value >= 0 ? value : throw AdmExit.Fail(error);
    }

    private static long Timeout(string text, long min, long max)
    {
        long value = CNumbers.StringToNumber(text, min, max);
        return value >= 0 ? value : throw AdmExit.Fail($"invalid timeout value `{text}' specified");
    }

    private static uint Fwmark(string text) =>
        CNumbers.TryStrtol(text, out long mark) && mark > 0 && mark <= uint.MaxValue
            ? (uint)mark
            : throw AdmExit.Fail($"invalid fwmark value `{text}' specified");

    private static void CheckMulticastGroup(string text)
    {
        if (text.Contains(':'))
        {
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6 || !v6.IsIPv6Multicast)
                throw AdmExit.Fail($"invalid IPv6 mcast-group `{text}'");
            return;
        }
        if (!IPv4Address.TryParse(text, out var v4) || (v4.Value >> 28) != 0xe)
            throw AdmExit.Fail($"invalid IPv4 mcast-group `{text}'");
    }
}
