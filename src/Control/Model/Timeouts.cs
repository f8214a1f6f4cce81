namespace UserLvs.Control;

/// <summary>
/// Control protocol: IPVS's ip_vs_timeout_user, the three timeouts (seconds) ipvsadm --set changes
/// and --timeout shows: TCP ESTABLISHED, TCP FIN_WAIT and UDP. In a set request 0 keeps a value.
/// </summary>
public sealed record Timeouts(int Tcp, int TcpFin, int Udp);
