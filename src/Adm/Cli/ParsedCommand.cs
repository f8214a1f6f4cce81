using UserLvs.Scheduling;

namespace UserLvs.Adm.Cli;

/// <summary>
/// One ipvsadm invocation after its options were read (ipvsadm's ipvs_command_entry, option mask
/// and format), with ipvsadm's defaults: weight 1, persistence netmask 255.255.255.255, no
/// scheduler yet (wlc is filled in for -A/-E), no forwarding method (UserLvs's -m is filled in later).
/// </summary>
internal sealed class ParsedCommand
{
    public AdmCommand Command { get; set; }
    public ulong Options { get; set; }
    public ListFormat Format { get; set; }

    // The virtual service (-t/-u/--sctp-service/-f, -s, -p, -M, -b, -o, --pe).
    public int ProtocolNumber { get; set; }
    public uint Address { get; set; }
    public ushort Port { get; set; }
    public uint Fwmark { get; set; }
    public bool IsIPv6 { get; set; }
    public string SchedulerName { get; set; } = "";
    public bool Persistent { get; set; }
    public uint PersistentTimeout { get; set; }
    public uint Netmask { get; set; } = uint.MaxValue;
    public SchedulerFlags SchedulerFlags { get; set; }
    public bool OnePacket { get; set; }

    // The real server (-r, -m/-g/-i, -w, -x, -y, tunnel options).
    public uint ServerAddress { get; set; }
    public ushort ServerPort { get; set; }
    public ForwardingMethod? ForwardingMethod { get; set; }
    public int Weight { get; set; } = 1;
    public uint UpperThreshold { get; set; }
    public uint LowerThreshold { get; set; }
    public int TunnelType { get; set; }

    // --set tcp tcpfin udp.
    public int TcpTimeout { get; set; }
    public int TcpFinTimeout { get; set; }
    public int UdpTimeout { get; set; }

    public bool Has(AdmOption option) => (Options & option.Bit()) != 0;

    public Protocol? Protocol => ProtocolNumber switch
    {
        6 => Scheduling.Protocol.Tcp,
        17 => Scheduling.Protocol.Udp,
        _ => null,
    };
}
