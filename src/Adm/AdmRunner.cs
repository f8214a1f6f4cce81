using UserLvs.Adm.Cli;
using UserLvs.Adm.Control;
using UserLvs.Adm.Names;
using UserLvs.Adm.Output;
using UserLvs.Scheduling;

namespace UserLvs.Adm;

/// <summary>
/// userlvs-adm's main flow, ipvsadm 1.31's main / process_options / restore_table:
///   no argument: list everything; else parse, check the option table, the per-command rules
///   ("Zero port specified for non-persistent service", tunnel options), refuse what UserLvs cannot
///   do, then run one control operation and print its failure as ipvsadm does (status 255).
/// Exit statuses as ipvsadm's: 0 done; 2 refused arguments (fail); 255 popt errors, "Try ..." and
/// failed operations; 1 a listing that cannot be made (-L -t of a missing service).
/// -R runs each stdin line the same way; a fatal line ends the run, and the status is the last line's.
/// The daemon is reached lazily, so -h, -v and argument errors need no daemon. `--status` alone (ours,
/// not ipvsadm's) prints the router's failover role, peer, sync daemon and health checks.
/// </summary>
public sealed class AdmRunner
{
    private readonly Func<IIpvsControl> _connect;
    private readonly INameResolver _names;
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly string _program;
    private IIpvsControl? _control;

    public AdmRunner(Func<IIpvsControl> connect, INameResolver names, TextReader input, TextWriter output, TextWriter error,
        string program = "userlvs-adm")
    {
        _connect = connect;
        _names = names;
        _input = input;
        _output = output;
        _error = error;
        _program = program;
    }

    /// <summary>Runs one invocation (the arguments after the program name) and returns its exit status.</summary>
    public int Run(IReadOnlyList<string> args)
    {
        try
        {
            if (args.Count == 0)
            {
                new ServiceListFormatter(_names, _output).WriteAll(Control.GetServices(), ListFormat.None);
                return 0;
            }
            // Not an ipvsadm option (IPVS has no failover or health checks): pulse's and nanny's view.
            if (args is ["--status"])
            {
                new StatusFormatter(_output).Write(Control.GetStatus());
                return 0;
            }
            return ProcessOptions(args, readingStdin: false) == 0 ? 0 : 255;
        }
        catch (AdmExit exit)
        {
            if (exit.StandardOutput is not null) _output.Write(exit.StandardOutput);
            if (exit.StandardError is not null) _error.Write(exit.StandardError);
            return exit.ExitCode;
        }
        catch (ControlUnavailableException unavailable)
        {
            _error.Write($"Can't initialize ipvs: {unavailable.Message}\nAre you sure that userlvsd is running?\n");
            return 2;
        }
        finally
        {
            _output.Flush();
            _error.Flush();
        }
    }

    private IIpvsControl Control => _control ??= _connect();

    private int ProcessOptions(IReadOnlyList<string> args, bool readingStdin)
    {
        var ce = new CommandLineParser(_names, _program).Parse(args, out string? poptError);
        if (ce is null)
        {
            _error.Write(poptError);
            return -1;
        }
        OptionMatrix.Check(ce.Command, ce.Options);

        if (ce.Command is AdmCommand.AddService or AdmCommand.EditService)
        {
            if (ce.Fwmark == 0 && ce.Port == 0 && !ce.Persistent)
                throw AdmExit.Fail("Zero port specified for non-persistent service");
            if (ce.OnePacket && ce.Fwmark == 0 && ce.ProtocolNumber != 17)
                throw AdmExit.Fail("One-Packet Scheduling is only for UDP virtual services");
            if (ce.SchedulerName.Length == 0) ce.SchedulerName = SchedulerNames.Default;
        }

        if (ce.Command is AdmCommand.AddServer or AdmCommand.EditServer)
        {
            // ipvsadm's default method is -g; UserLvs forwards by NAT only, so no method means -m.
            var method = ce.ForwardingMethod ?? ForwardingMethod.Masquerade;
            const ulong tunnelOptions = 0b11111UL << (int)AdmOption.TunType;
            if ((ce.Options & tunnelOptions) != 0 && method != ForwardingMethod.Tunnel)
                throw AdmExit.Fail("Tunnel options conflict with forward method");
            OptionMatrix.CheckTunnel(ce.TunnelType, ce.Options);
            if (method == ForwardingMethod.DirectRoute) throw AdmExit.Fail(Unsupported.DirectRouting);
            if (method == ForwardingMethod.Tunnel) throw AdmExit.Fail(Unsupported.Tunnelling);
            ce.ForwardingMethod = method;
        }

        RefuseUnsupported(ce);

        switch (ce.Command)
        {
            case AdmCommand.List:
                List(ce);
                return 0;
            case AdmCommand.Restore:
                return Restore(readingStdin);
            case AdmCommand.Save:
                new ServiceListFormatter(_names, _output).WriteAll(Control.GetServices(), ce.Format | ListFormat.Rule);
                return 0;
        }

        string? failure = Execute(ce);
        if (failure is null) return 0;
        _error.Write(failure + "\n");
        return -1;
    }

    /// <summary>Runs one control operation; null when it succeeded, else ipvsadm's text for the failure.</summary>
    private string? Execute(ParsedCommand ce)
    {
        var (operation, result) = Operate(ce);
        return result switch
        {
            TableResult.Ok => null,
            OutOfRange => IpvsErrors.OutOfRange,
            _ => IpvsErrors.Message(operation, result),
        };
    }

    private (IpvsErrors.Operation, TableResult) Operate(ParsedCommand ce)
    {
        var key = Key(ce);
        switch (ce.Command)
        {
            case AdmCommand.Flush:
                return (IpvsErrors.Operation.Clear, Control.Clear());
            case AdmCommand.AddService:
                return (IpvsErrors.Operation.AddService, Control.AddService(Settings(ce)));
            case AdmCommand.EditService:
                return (IpvsErrors.Operation.EditService, Control.EditService(Settings(ce)));
            case AdmCommand.DeleteService:
                return (IpvsErrors.Operation.DeleteService, Control.DeleteService(key));
            case AdmCommand.Zero:
                // libipvs names a service only when one was given; otherwise every counter is zeroed.
                return (IpvsErrors.Operation.ZeroService, Control.Zero(ce.Address != 0 || ce.Port != 0 ? key : null));
            case AdmCommand.AddServer or AdmCommand.EditServer:
            {
                var operation = ce.Command == AdmCommand.AddServer ? IpvsErrors.Operation.AddServer : IpvsErrors.Operation.EditServer;
                // The kernel refuses a lower threshold above the upper one (0 included) with ERANGE, once
                // it has found the service (ip_vs_genl_set_cmd answers ESRCH first).
                if (ce.LowerThreshold > ce.UpperThreshold)
                    return (operation, Control.GetService(key) is null ? TableResult.NoSuchService : OutOfRange);
                var server = new ServerSettings(new IPv4Address(ce.ServerAddress).ToString(), ce.ServerPort,
                    ce.ForwardingMethod!.Value, ce.Weight, ce.UpperThreshold, ce.LowerThreshold);
                return (operation, ce.Command == AdmCommand.AddServer ? Control.AddServer(key, server) : Control.EditServer(key, server));
            }
            case AdmCommand.DeleteServer:
                return (IpvsErrors.Operation.DeleteServer,
                    Control.DeleteServer(key, new IPv4Address(ce.ServerAddress).ToString(), ce.ServerPort));
            case AdmCommand.SetTimeouts:
                return (IpvsErrors.Operation.SetTimeouts, Control.SetTimeouts(new Timeouts(ce.TcpTimeout, ce.TcpFinTimeout, ce.UdpTimeout)));
            default:
                throw new InvalidOperationException($"no operation for {ce.Command}");
        }
    }

    private void List(ParsedCommand ce)
    {
        const ulong streams = (1UL << (int)AdmOption.Connection) | (1UL << (int)AdmOption.Timeout) | (1UL << (int)AdmOption.Daemon);
        const ulong layouts = (1UL << (int)AdmOption.Stats) | (1UL << (int)AdmOption.Rate) | (1UL << (int)AdmOption.Thresholds);
        const ulong settings = (1UL << (int)AdmOption.Timeout) | (1UL << (int)AdmOption.Daemon);
        if (((ce.Options & streams) != 0 && (ce.Options & layouts) != 0)
            || ((ce.Options & settings) != 0 && ce.Has(AdmOption.PersistentConn)))
            throw AdmExit.Fail("options conflicts in the list command");

        if (ce.Has(AdmOption.Connection))
        {
            new ConnectionListFormatter(_names, _output).Write(Control.GetConnections(), ce.Format);
        }
        else if (ce.Has(AdmOption.Service))
        {
            var service = Control.GetService(Key(ce));
            if (service is null) throw new AdmExit(1, IpvsErrors.Message(IpvsErrors.Operation.GetService, TableResult.NoSuchService) + "\n");
            new ServiceListFormatter(_names, _output).WriteOne(service, ce.Format);
        }
        else if (ce.Has(AdmOption.Timeout))
        {
            var t = Control.GetTimeouts();
            _output.Write($"Timeout (tcp tcpfin udp): {t.Tcp} {t.TcpFin} {t.Udp}\n");
        }
        else if (ce.Has(AdmOption.Daemon))
        {
            // ipvsadm's list_daemon: one line per running sync daemon, nothing when none runs.
            if (Control.GetStatus().Sync is { } sync) _output.Write($"{StatusFormatter.SyncDaemon(sync)}\n");
        }
        else
        {
            new ServiceListFormatter(_names, _output).WriteAll(Control.GetServices(), ce.Format);
        }
    }

    private int Restore(bool readingStdin)
    {
        if (readingStdin) throw AdmExit.TryHelp(_program); // "-R" inside -R would read forever
        int result = 0;
        foreach (var line in RestoreReader.Lines(_input))
        {
            result = ProcessOptions(line, readingStdin: true);
        }
        return result;
    }

    private static void RefuseUnsupported(ParsedCommand ce)
    {
        if (ce.Command is AdmCommand.StartDaemon or AdmCommand.StopDaemon) throw AdmExit.Fail(Unsupported.SyncDaemon);
        if (ce.Fwmark != 0) throw AdmExit.Fail(Unsupported.Fwmark);
        if (ce.ProtocolNumber == 132) throw AdmExit.Fail(Unsupported.Sctp);
        if (ce.OnePacket) throw AdmExit.Fail(Unsupported.OnePacket);
        if (ce.Has(AdmOption.PersistenceEngine)) throw AdmExit.Fail(Unsupported.PersistenceEngine);
    }

    private static ServiceKey Key(ParsedCommand ce) =>
        new(ce.Protocol ?? Protocol.Tcp, new IPv4Address(ce.Address).ToString(), ce.Port);

    private static ServiceSettings Settings(ParsedCommand ce) =>
        new(ce.Protocol ?? Protocol.Tcp, new IPv4Address(ce.Address).ToString(), ce.Port, ce.SchedulerName,
            ce.SchedulerFlags, ce.Persistent ? ce.PersistentTimeout : 0, new IPv4Address(ce.Netmask).ToString());

    /// <summary>Stands for the kernel's ERANGE, which has no <see cref="TableResult"/> of its own.</summary>
    private const TableResult OutOfRange = (TableResult)(-1);
}
