namespace UserLvs.Forwarder.Connections;

/// <summary>
/// The connection timeouts by protocol state, IPVS's tcp_timeouts / udp_timeouts, with IPVS's
/// defaults (seconds): NONE 2, ESTABLISHED 900, SYN_SENT 120, SYN_RECV 60, FIN_WAIT 120,
/// TIME_WAIT 120, CLOSE 10, CLOSE_WAIT 60, LAST_ACK 30, LISTEN 120, SYNACK 120; UDP 300.
///
/// `ipvsadm --set tcp tcpfin udp` changes ESTABLISHED, FIN_WAIT and UDP (0 leaves a value unchanged).
/// As in IPVS a change applies from a connection's next packet on: a connection's expiry is computed
/// from the table when a packet arrives. The table is one immutable array replaced whole, so workers
/// read it with one volatile load and no lock; writers (the control plane) serialise on a lock.
/// </summary>
public sealed class IpvsTimeouts
{
    /// <summary>IPVS refuses timeouts above INT_MAX / HZ; with HZ = 1000 that is this many seconds.</summary>
    public const int MaxSeconds = int.MaxValue / 1000;

    private const int UdpIndex = TcpStates.Count;

    private readonly Lock _writer = new();
    private long[] _milliseconds;

    public IpvsTimeouts()
    {
        int[] seconds = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120, 300];
        _milliseconds = Array.ConvertAll(seconds, s => s * 1000L);
    }

    /// <summary>How long a TCP connection in <paramref name="state"/> lives after its last packet.</summary>
    public long TcpMilliseconds(TcpState state) => Volatile.Read(ref _milliseconds)[(int)state];

    /// <summary>How long a UDP connection lives after its last packet.</summary>
    public long UdpMilliseconds => Volatile.Read(ref _milliseconds)[UdpIndex];

    /// <summary>ipvsadm --timeout's first column: the ESTABLISHED timeout in seconds.</summary>
    public int TcpSeconds => (int)(TcpMilliseconds(TcpState.Established) / 1000);

    /// <summary>ipvsadm --timeout's second column: the FIN_WAIT timeout in seconds.</summary>
    public int TcpFinSeconds => (int)(TcpMilliseconds(TcpState.FinWait) / 1000);

    /// <summary>ipvsadm --timeout's third column: the UDP timeout in seconds.</summary>
    public int UdpSeconds => (int)(UdpMilliseconds / 1000);

    /// <summary>ipvsadm --set tcp tcpfin udp: each value in seconds, 0 keeps the current one.</summary>
    public void Set(int tcpSeconds, int tcpFinSeconds, int udpSeconds)
    {
        Check(tcpSeconds, nameof(tcpSeconds));
        Check(tcpFinSeconds, nameof(tcpFinSeconds));
        Check(udpSeconds, nameof(udpSeconds));
        lock (_writer)
        {
            var next = (long[])_milliseconds.Clone();
            if (tcpSeconds != 0) next[(int)TcpState.Established] = tcpSeconds * 1000L;
            if (tcpFinSeconds != 0) next[(int)TcpState.FinWait] = tcpFinSeconds * 1000L;
            if (udpSeconds != 0) next[UdpIndex] = udpSeconds * 1000L;
            Volatile.Write(ref _milliseconds, next);
        }
    }

    /// <summary>Sets one TCP state's timeout (what /proc/sys or a config may tune beyond --set).</summary>
    public void SetTcp(TcpState state, int seconds)
    {
        if ((uint)state >= TcpStates.Count) throw new ArgumentOutOfRangeException(nameof(state));
        Check(seconds, nameof(seconds));
        lock (_writer)
        {
            var next = (long[])_milliseconds.Clone();
            next[(int)state] = seconds * 1000L;
            Volatile.Write(ref _milliseconds, next);
        }
    }

    private static void Check(int seconds, string name)
    {
        if (seconds < 0 || seconds > MaxSeconds)
            throw new ArgumentOutOfRangeException(name, seconds, $"a timeout is 0..{MaxSeconds} seconds");
    }
}
