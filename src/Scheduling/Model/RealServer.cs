namespace UserLvs.Scheduling;

/// <summary>
/// A real server of one virtual service, as one snapshot of the table sees it. The configuration is
/// immutable; a change (ipvsadm -e, a reload, nanny quiescing it) builds a new <see cref="RealServer"/>
/// that shares the same <see cref="Counters"/>, so connection counts survive the change.
/// </summary>
public sealed class RealServer
{
    public RealServer(
        IPv4Address address,
        ushort port,
        int weight = 1,
        uint upperThreshold = 0,
        uint lowerThreshold = 0,
        ForwardingMethod forwardingMethod = ForwardingMethod.Masquerade,
        RealServerCounters? counters = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weight);
        if (lowerThreshold > upperThreshold && upperThreshold != 0)
            throw new ArgumentException("the lower threshold must not exceed the upper threshold", nameof(lowerThreshold));
        Address = address;
        Port = port;
        Weight = weight;
        UpperThreshold = upperThreshold;
        LowerThreshold = lowerThreshold;
        ForwardingMethod = forwardingMethod;
        Counters = counters ?? new RealServerCounters();
    }

    public IPv4Address Address { get; }
    public ushort Port { get; }

    /// <summary>Relative capacity; 0 means quiesced: no new connections, established ones go on.</summary>
    public int Weight { get; }

    /// <summary>ipvsadm -x: with this many connections (active + inactive) the server is overloaded; 0 = no limit.</summary>
    public uint UpperThreshold { get; }

    /// <summary>ipvsadm -y: an overloaded server is used again below this many; 0 = below 3/4 of the upper threshold.</summary>
    public uint LowerThreshold { get; }

    public ForwardingMethod ForwardingMethod { get; }

    /// <summary>Connection counters shared by every snapshot's view of this server.</summary>
    public RealServerCounters Counters { get; }

    // The scheduler-facing shortcuts read live counters (no locks; as IPVS reads its atomics).
    public int ActiveConnections => Counters.Active;
    public int InactiveConnections => Counters.Inactive;
    public bool IsOverloaded => Counters.IsOverloaded;

    /// <summary>IPVS's ip_vs_dest_conn_overhead: active connections weigh 256 inactive ones.</summary>
    public long Overhead => ((long)Counters.Active << 8) + Counters.Inactive;

    /// <summary>A server every scheduler may pick: not quiesced and not over its upper threshold.</summary>
    public bool IsAvailable => Weight > 0 && !Counters.IsOverloaded;

    public bool SameEndpoint(RealServer other) => Address == other.Address && Port == other.Port;

    /// <summary>A copy with other settings that keeps this server's counters.</summary>
    public RealServer With(int? weight = null, uint? upperThreshold = null, uint? lowerThreshold = null, ForwardingMethod? forwardingMethod = null) =>
        new(Address, Port, weight ?? Weight, upperThreshold ?? UpperThreshold, lowerThreshold ?? LowerThreshold,
            forwardingMethod ?? ForwardingMethod, Counters);

    public override string ToString() => $"{Address}:{Port} weight {Weight}";
}
