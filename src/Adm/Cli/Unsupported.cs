namespace UserLvs.Adm.Cli;

/// <summary>
/// What ipvsadm accepts and UserLvs cannot do, each refused with a plain sentence and exit status 2
/// (ipvsadm's status for a command it will not carry out). Checked after ipvsadm's own option checks,
/// so a line ipvsadm would refuse still gets ipvsadm's own message.
/// </summary>
internal static class Unsupported
{
    public const string IPv6 = "IPv6 addresses are not supported by UserLvs (IPv4 only)";
    public const string Fwmark = "Firewall-mark services (-f, --fwmark-service) are not supported by UserLvs";
    public const string Sctp = "SCTP services (--sctp-service) are not supported by UserLvs (TCP and UDP only)";
    public const string OnePacket = "One-packet scheduling (-o, --ops) is not supported by UserLvs";
    public const string PersistenceEngine = "Persistence engines (--pe) are not supported by UserLvs";
    public const string SyncDaemon = "The IPVS connection sync daemon (--start-daemon, --stop-daemon) is not supported by UserLvs";
    public const string DirectRouting = "Direct routing (-g, --gatewaying) is not supported by UserLvs: it forwards by masquerading (-m, NAT) only";
    public const string Tunnelling = "IP-IP tunnelling (-i, --ipip) is not supported by UserLvs: it forwards by masquerading (-m, NAT) only";
}
