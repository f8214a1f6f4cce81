using UserLvs.Failover.Commands;
using UserLvs.Failover.Protocol;
using UserLvs.Failover.Transport;

namespace UserLvs.Failover;

/// <summary>
/// pulse, running: owns a <see cref="PulseStateMachine"/>, feeds it datagrams from the transport and
/// ticks from a timer set to exactly when the machine next has something due, and carries out its
/// actions (datagrams to the transport, data-plane switches to the <see cref="IFailoverTarget"/>,
/// active_cmd/inactive_cmd to a <see cref="ShellCommandRunner"/>). One lock serializes the machine,
/// so receive threads and the timer never run it at the same time.
/// </summary>
public sealed class PulseService : IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly PulseStateMachine machine;
    private readonly IHeartbeatTransport transport;
    private readonly IFailoverTarget target;
    private readonly ShellCommandRunner? commands;
    private readonly string? activeCommand;
    private readonly string? inactiveCommand;
    private readonly ITimer timer;
    private bool started;
    private bool disposed;

    /// <param name="commands">Runs active_cmd/inactive_cmd; null when neither is set.</param>
    public PulseService(
        PulseSettings settings,
        IHeartbeatTransport transport,
        IFailoverTarget target,
        TimeProvider time,
        ShellCommandRunner? commands = null,
        string? activeCommand = null,
        string? inactiveCommand = null,
        ulong? bootId = null)
    {
        this.transport = transport ?? throw new ArgumentNullException(nameof(transport));
        this.target = target ?? throw new ArgumentNullException(nameof(target));
        this.commands = commands;
        this.activeCommand = activeCommand;
        this.inactiveCommand = inactiveCommand;
        machine = new PulseStateMachine(settings, new Actions(this), time, bootId);
        // On the real clock a thread of its own ticks pulse on time; a test's fake clock drives its own timers.
        timer = time == TimeProvider.System
            ? new DedicatedThreadTimer(OnTimer, "userlvs-pulse")
            : time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Every role change, raised under the pulse lock (log it, do not block).</summary>
    public event Action<FailoverTransition>? Transitioned;

    public ulong BootId => machine.BootId;

    public RouterRole Role
    {
        get { lock (gate) return machine.Role; }
    }

    public FailoverStatus Status
    {
        get { lock (gate) return machine.Status; }
    }

    public void Start()
    {
        lock (gate)
        {
            if (started || disposed) return;
            started = true;
            transport.Start(OnDatagram);
            machine.Start();
            Reschedule(machine.Tick());
        }
    }

    /// <summary>Active router only: sends one connection-sync payload (at most 1400 bytes). False when not active.</summary>
    public bool SendSyncBatch(ReadOnlySpan<byte> payload)
    {
        lock (gate) return machine.SendSyncBatch(payload);
    }

    /// <summary>Lets a fenced router take part again (userlvs-adm or SIGHUP may call it).</summary>
    public void Rejoin()
    {
        lock (gate)
        {
            machine.Rejoin();
            Reschedule(machine.Tick());
        }
    }

    /// <summary>
    /// Stands down (BecomeStandby and inactive_cmd if active), tells the peer, stops. Returns when the
    /// queued active_cmd/inactive_cmd have run (each bounded by the runner's limit): a daemon that
    /// exits right after must not leave its inactive_cmd behind an active_cmd still running.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (started) machine.Stop();
        }
        await timer.DisposeAsync().ConfigureAwait(false);
        transport.Dispose();
        if (commands is not null) await commands.DisposeAsync().ConfigureAwait(false);
    }

    private void OnDatagram(PulseNetwork network, ReadOnlySpan<byte> datagram, Scheduling.IPv4Address from, ushort fromPort)
    {
        lock (gate)
        {
            if (disposed) return;
            machine.Receive(network, datagram, out _);
            Reschedule(machine.Tick());
        }
    }

    private void OnTimer()
    {
        lock (gate)
        {
            if (disposed) return;
            Reschedule(machine.Tick());
        }
    }

    private void Reschedule(TimeSpan due) => timer.Change(due, Timeout.InfiniteTimeSpan);

    private sealed class Actions(PulseService owner) : IPulseActions
    {
        public void Send(PulseNetwork network, ReadOnlySpan<byte> datagram) => owner.transport.Send(network, datagram);
        public void BecomeActive() => owner.target.BecomeActive();
        public void BecomeStandby() => owner.target.BecomeStandby();
        public void Reannounce() => owner.target.Reannounce();
        public void SyncBatchReceived(ReadOnlySpan<byte> payload) => owner.target.SyncBatchReceived(payload);
        public void Transitioned(FailoverTransition transition) => owner.Transitioned?.Invoke(transition);

        public void RunActiveCommand()
        {
            if (owner.commands is not null && !string.IsNullOrWhiteSpace(owner.activeCommand)) _ = owner.commands.Enqueue("active_cmd", owner.activeCommand);
        }

        public void RunInactiveCommand()
        {
            if (owner.commands is not null && !string.IsNullOrWhiteSpace(owner.inactiveCommand)) _ = owner.commands.Enqueue("inactive_cmd", owner.inactiveCommand);
        }
    }
}
