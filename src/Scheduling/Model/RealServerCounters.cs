namespace UserLvs.Scheduling;

/// <summary>
/// The connection counters of one real server, as IPVS keeps them in ip_vs_dest: active connections
/// (TCP ESTABLISHED), inactive ones (every other state, and UDP), and persistence templates. They
/// change only when a connection is bound, changes between active and inactive, or is unbound, and
/// each change tells the currently published scheduler (<see cref="ICounterListener"/>) so that
/// count-driven schedulers keep their pick O(1) instead of scanning every server per pick.
/// The overload flag follows IPVS's ip_vs_bind_dest / ip_vs_unbind_dest rules.
/// </summary>
public sealed class RealServerCounters
{
    private int _active;
    private int _inactive;
    private int _persistent;
    private int _overloaded;
    private CounterBinding? _binding;

    /// <summary>Connections, packets and bytes through this server (ipvsadm --stats).</summary>
    public TrafficCounters Traffic { get; } = new();

    public int Active => Volatile.Read(ref _active);
    public int Inactive => Volatile.Read(ref _inactive);
    public int Persistent => Volatile.Read(ref _persistent);
    public bool IsOverloaded => Volatile.Read(ref _overloaded) != 0;

    /// <summary>Active + inactive: what the thresholds are compared with (ip_vs_dest_totalconns).</summary>
    public int Total => Active + Inactive;

    /// <summary>A new connection was bound to the server (TCP starts inactive until ESTABLISHED; UDP stays inactive).</summary>
    public void ConnectionBound(bool active)
    {
        Interlocked.Increment(ref active ? ref _active : ref _inactive);
        var binding = Volatile.Read(ref _binding);
        if (binding is not null && binding.UpperThreshold != 0 && Total >= binding.UpperThreshold)
            Volatile.Write(ref _overloaded, 1);
        binding?.Listener?.CountersChanged(binding.Index);
    }

    /// <summary>A connection of the server expired or was removed.</summary>
    public void ConnectionUnbound(bool active)
    {
        Interlocked.Decrement(ref active ? ref _active : ref _inactive);
        var binding = Volatile.Read(ref _binding);
        if (IsOverloaded && OverloadClears(binding)) Volatile.Write(ref _overloaded, 0);
        binding?.Listener?.CountersChanged(binding.Index);
    }

    /// <summary>A TCP connection reached ESTABLISHED (true) or left it (false).</summary>
    public void ConnectionActivityChanged(bool nowActive)
    {
        if (nowActive)
        {
            Interlocked.Increment(ref _active);
            Interlocked.Decrement(ref _inactive);
        }
        else
        {
            Interlocked.Decrement(ref _active);
            Interlocked.Increment(ref _inactive);
        }
        var binding = Volatile.Read(ref _binding);
        binding?.Listener?.CountersChanged(binding.Index);
    }

    public void TemplateBound() => Interlocked.Increment(ref _persistent);
    public void TemplateUnbound() => Interlocked.Decrement(ref _persistent);

    /// <summary>
    /// Points the counters at the scheduler of a newly published snapshot. A threshold change re-evaluates
    /// the overload flag as IPVS's __ip_vs_update_dest does: a raised or removed upper threshold clears it.
    /// </summary>
    internal void Bind(CounterBinding? binding)
    {
        var previous = Volatile.Read(ref _binding);
        Volatile.Write(ref _binding, binding);
        if (binding is null) return;
        if (binding.UpperThreshold == 0 || (previous is not null && binding.UpperThreshold > previous.UpperThreshold))
            Volatile.Write(ref _overloaded, 0);
        if (binding.UpperThreshold != 0 && Total >= binding.UpperThreshold)
            Volatile.Write(ref _overloaded, 1);
    }

    private bool OverloadClears(CounterBinding? binding)
    {
        if (binding is null) return true;
        if (binding.LowerThreshold != 0) return Total < binding.LowerThreshold;
        if (binding.UpperThreshold != 0) return (long)Total * 4 < (long)binding.UpperThreshold * 3;
        return true;
    }

    internal CounterBinding? Binding => Volatile.Read(ref _binding);
}

/// <summary>Whom a counter change concerns: the scheduler of the published snapshot and the server's index in it.</summary>
internal sealed record CounterBinding(ICounterListener? Listener, int Index, uint UpperThreshold, uint LowerThreshold);
