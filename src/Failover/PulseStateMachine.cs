using System.Collections.Frozen;
using System.Security.Cryptography;
using UserLvs.Failover.Protocol;

namespace UserLvs.Failover;

/// <summary>
/// Piranha's pulse as a pure state machine: driven by <see cref="Tick"/> and <see cref="Receive"/>,
/// reading time from a <see cref="TimeProvider"/>, acting only through <see cref="IPulseActions"/>.
/// Not thread-safe: one owner serializes the calls (<see cref="PulseService"/> does).
///
/// Every router sends a Heartbeat to its peer every keepalive on the public network and on the
/// private one when set, and answers every Heartbeat with a HeartbeatReply; each message carries the
/// sender's state, so an answer on either network shows whether the peer is alive and active.
/// (pulse has the backup heartbeat the active router; the active router heartbeats too here, so
/// that two active routers find each other as soon as a partition heals.) Only authenticated, fresh
/// messages count (<see cref="PulseCodec"/>, <see cref="ReplayGuard"/>); anything else is dropped,
/// counted, and changes nothing, not even the time the peer was last heard.
///
/// The right to be active: a router started with --force-active over one without; otherwise the
/// primary. pulse(8) lets a returning primary stay backup unless --forceactive forces it; UserLvs
/// follows DESIGN.md instead (the primary takes over again when it returns) and keeps pulse's
/// override: --force-active on the backup keeps it active when the primary returns, and
/// --force-active on the primary makes it take over as soon as the peer agrees. If both routers
/// have --force-active, the primary wins.
///
/// States: Backup (watching; with a sub-state "awaiting release" during a failback), Active,
/// Shutdown (fenced: never takes over because of rank, only when the peer falls silent). The peer
/// state "standby" below means Backup or Shutdown. "Better" means this router holds the better right.
///
/// | #   | state                  | event                                          | actions, in order                                     | next            |
/// |-----|------------------------|------------------------------------------------|-------------------------------------------------------|-----------------|
/// | T1  | (start)                | Start()                                        | Heartbeat on all networks                             | Backup          |
/// | T2  | any                    | keepalive elapsed                              | Heartbeat on all networks                             | same            |
/// | T3  | any                    | Heartbeat received                             | HeartbeatReply on that network (then T4-T15 apply)    | same            |
/// | T4  | Backup, Shutdown       | more than deadtime since start / last heard    | Shutdown on all networks (fence), BecomeActive, active_cmd | Active     |
/// | T5  | Backup                 | peer standby, better or peer Shutdown          | BecomeActive, active_cmd                              | Active          |
/// | T6  | Backup                 | peer Active, better, not holding off           | TakeoverRequest on all networks                       | Backup, awaiting|
/// | T7  | Backup, awaiting       | peer standby (Release or newer message)        | BecomeActive, active_cmd                              | Active          |
/// | T8  | Backup, awaiting       | failback timeout, peer still Active            | hold off one failback timeout before T6 again         | Backup          |
/// | T9  | Backup, Shutdown       | TakeoverRequest                                | Release on that network (nothing to release)          | same            |
/// | T10 | Active                 | TakeoverRequest from a peer with better right  | BecomeStandby, inactive_cmd, Release on all networks  | Backup          |
/// | T11 | Active                 | peer Active, peer better, deadtime after T4    | Shutdown on all networks again, once per keepalive    | Active          |
/// | T12 | Active                 | peer Active, peer better, otherwise (split)    | BecomeStandby, inactive_cmd, Release on all networks  | Backup          |
/// | T13 | Active                 | peer Active, this router better (split)        | (none: the peer stands down by T12)                   | Active          |
/// | T14 | Active                 | peer standby after it was heard Active (T11/13)| Reannounce                                            | Active          |
/// | T15 | Shutdown               | peer Shutdown, better                          | BecomeActive, active_cmd                              | Active          |
/// | T16 | Active                 | Shutdown received                              | BecomeStandby, inactive_cmd                           | Shutdown        |
/// | T17 | Backup                 | Shutdown received                              | (none: not forwarding)                                | Shutdown        |
/// | T18 | Active, Backup         | Stop()                                         | [BecomeStandby, inactive_cmd if Active], Release      | Shutdown        |
/// | T19 | Shutdown               | Rejoin()                                       | (none)                                                | Backup          |
/// | T20 | Backup, Shutdown       | SyncBatch                                      | SyncBatchReceived(payload)                            | same            |
/// | T21 | Shutdown               | Release from a peer in Shutdown (it stopped)   | as T4 (fence, BecomeActive, active_cmd)               | Active          |
///
/// "Holding off" (T6): for FailbackDelay after this router first hears the active peer (keepalived's
/// preempt_delay), so connection sync can fill it before it asks: counted from start instead, a link
/// that comes up late would leave no time for the table; and one failback timeout after T8.
///
/// Silence counts only while this router is running: when its own ticks stood still for more than
/// keepalive + deadtime/2 (a GC pause, a starved CPU, a suspended VM), it sent no heartbeats and
/// read no answers, so it gives the peer deadtime/2 more to answer before T4 (counted in
/// <see cref="FailoverStatus.Stalls"/>).
///
/// A router never starts forwarding because of a message sent before its peer stopped: the peer's
/// state is taken only from the newest message of its current boot, across both networks, and a
/// router sends Release (or any standby-state message) only after BecomeStandby. So in a failback
/// the active router's BecomeStandby always comes before the other's BecomeActive (T10 then T7);
/// a lost Release cannot wedge both in standby: the next heartbeat shows the peer standby (T7), and
/// silence for deadtime is a takeover (T4).
/// </summary>
public sealed class PulseStateMachine
{
    private readonly PulseSettings settings;
    private readonly IPulseActions actions;
    private readonly TimeProvider time;
    private readonly PulseCodec codec;
    private readonly ReplayGuard guard;
    private readonly byte[] sendBuffer = new byte[PulseWireFormat.MaxDatagram];
    private readonly long[] drops = new long[Enum.GetValues<PulseDropReason>().Length];
    private readonly PulseFlags ownFlags;
    private readonly int ownRank;
    private readonly long keepAliveTicks;
    private readonly long deadTimeTicks;
    private readonly long failbackTicks;
    private readonly long failbackDelayTicks;

    private ulong sequence;
    private bool started;
    private RouterRole role = RouterRole.Backup;
    private bool awaitingRelease;
    private long releaseDeadline;
    private long holdOffUntil;
    private bool heardPeerActive;   // since this router last was active: FailbackDelay counts from the first time
    private long fenceGraceUntil;
    private long lastFenceSent;
    private long lastHeard;
    private long nextHeartbeat;
    private long lastTick;
    private long stalls;
    private bool peerHeardActiveWhileActive;
    private RouterRole? peerRole;
    private DateTimeOffset? peerLastHeard;
    private readonly DateTimeOffset?[] peerLastHeardOn = new DateTimeOffset?[2];
    private long transitions;
    private long failbackTimeouts;
    private string? lastReason;
    private DateTimeOffset? lastTransitionAt;

    public PulseStateMachine(PulseSettings settings, IPulseActions actions, TimeProvider time, ulong? bootId = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        this.settings = settings;
        this.actions = actions ?? throw new ArgumentNullException(nameof(actions));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        codec = new PulseCodec(settings.Key);
        guard = new ReplayGuard(settings.FreshnessWindow);
        BootId = bootId ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        bool isPrimary = settings.Roles.Role == ConfiguredRole.Primary;
        ownFlags = (isPrimary ? PulseFlags.Primary : PulseFlags.None) | (settings.Roles.ForceActive ? PulseFlags.ForceActive : PulseFlags.None);
        ownRank = RoleAssignment.Rank(isPrimary, settings.Roles.ForceActive);
        keepAliveTicks = ToTimestampTicks(settings.KeepAlive);
        deadTimeTicks = ToTimestampTicks(settings.DeadTime);
        failbackTicks = ToTimestampTicks(settings.EffectiveFailbackTimeout);
        failbackDelayTicks = ToTimestampTicks(settings.FailbackDelay);
    }

    /// <summary>This start's random boot id (in every datagram this router sends).</summary>
    public ulong BootId { get; }

    public RouterRole Role => role;

    /// <summary>T1: begin watching; deadtime counts from now.</summary>
    public void Start()
    {
        if (started) return;
        started = true;
        long now = time.GetTimestamp();
        lastHeard = now;
        lastTick = now;
        holdOffUntil = now;
        SendHeartbeats(now);
    }

    /// <summary>
    /// Does what is due (heartbeats, takeover after deadtime, failback timeout) and returns how long
    /// until something is due again. Call it at least then; calling it more often is harmless.
    /// </summary>
    public TimeSpan Tick()
    {
        if (!started) return Timeout.InfiniteTimeSpan;
        long now = time.GetTimestamp();
        if (now - lastTick > keepAliveTicks + deadTimeTicks / 2)
        {
            // This router itself stood still (GC pause, CPU starvation): it sent no heartbeats and
            // read no answers meanwhile, so the silence says nothing about the peer. Give it half a
            // deadtime to answer the heartbeat that goes out now.
            stalls++;
            lastHeard = Math.Max(lastHeard, now - deadTimeTicks / 2);
        }
        lastTick = now;
        if (role != RouterRole.Active && now - lastHeard > deadTimeTicks)
            TakeOver(now, "no answer from the peer for deadtime");
        if (awaitingRelease && now >= releaseDeadline)
        {
            awaitingRelease = false;
            if (peerRole == RouterRole.Active)
            {
                failbackTimeouts++;
                holdOffUntil = now + failbackTicks;
            }
            else
            {
                GoActive("failback: the peer is standby");
            }
        }
        if (now >= nextHeartbeat) SendHeartbeats(now);
        return DueIn(now);
    }

    /// <summary>
    /// Handles one datagram that arrived on <paramref name="network"/>. Returns false with the reason
    /// when it was dropped (and counted).
    /// </summary>
    public bool Receive(PulseNetwork network, ReadOnlySpan<byte> datagram, out PulseDropReason reason)
    {
        if (!codec.TryDecode(datagram, out var header, out var payload, out reason)) return Drop(reason);
        if (!ExpectedPeer(network, out var peerAddress) || header.Sender != peerAddress) return Drop(reason = PulseDropReason.WrongSender);
        bool peerIsPrimary = (header.Flags & PulseFlags.Primary) != 0;
        if (peerIsPrimary == (settings.Roles.Role == ConfiguredRole.Primary)) return Drop(reason = PulseDropReason.RoleMismatch);
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!guard.Check(network, header.BootId, header.Sequence, header.TimestampMs, nowMs, out bool newest, out reason)) return Drop(reason);

        long now = time.GetTimestamp();
        lastHeard = now;
        peerLastHeard = time.GetUtcNow();
        peerLastHeardOn[(int)network] = peerLastHeard;
        if (!started) return true;

        bool peerBetter = RoleAssignment.Rank(peerIsPrimary, (header.Flags & PulseFlags.ForceActive) != 0) > ownRank;
        switch (header.Type)
        {
            case PulseMessageType.Heartbeat:
                SendOne(network, PulseMessageType.HeartbeatReply, default);
                break;
            case PulseMessageType.Shutdown:
                // Only the peer's newest word counts: a Shutdown overtaken on the other network by a
                // newer message (the peer has since stood down) is history, not an order. A peer that
                // still means it repeats it (T11, once per keepalive).
                if (!newest) return true;
                peerRole = header.SenderState;
                Fenced();
                return true;
            case PulseMessageType.TakeoverRequest:
                if (role == RouterRole.Active)
                {
                    if (peerBetter && newest) StandDown("failback: the peer has the better right and asked to take over");
                }
                else
                {
                    SendOne(network, PulseMessageType.Release, default);
                }
                break;
            case PulseMessageType.SyncBatch:
                if (role != RouterRole.Active) actions.SyncBatchReceived(payload);
                break;
            case PulseMessageType.Release when newest && started && role == RouterRole.Shutdown && header.SenderState == RouterRole.Shutdown:
                // T21: a fenced router hears its peer stop (T18 sends Release from Shutdown). The peer
                // will not come back on its own, and a fenced router takes over only on silence, so
                // without this the service would be down for a whole deadtime. (A Shutdown router sends
                // no TakeoverRequest, so this Release cannot be T9's answer to one.)
                peerRole = header.SenderState;
                TakeOver(now, "the peer stopped");
                return true;
        }
        if (newest) PeerStateSeen(header.SenderState, peerBetter, now);
        return true;
    }

    /// <summary>
    /// Sends connection-sync entries to the peer (private network when there is one); only the active
    /// router sends. Returns false when this router is not active.
    /// </summary>
    public bool SendSyncBatch(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > PulseWireFormat.MaxPayload)
            throw new ArgumentException($"a sync batch holds at most {PulseWireFormat.MaxPayload} bytes", nameof(payload));
        if (!started || role != RouterRole.Active) return false;
        SendOne(settings.Roles.HasPrivateNetwork ? PulseNetwork.Private : PulseNetwork.Public, PulseMessageType.SyncBatch, payload);
        return true;
    }

    /// <summary>T18: the daemon stops. Stops forwarding first, then tells the peer, so it takes over at once.</summary>
    public void Stop()
    {
        if (!started || role == RouterRole.Shutdown) return;
        awaitingRelease = false;
        if (role == RouterRole.Active)
        {
            actions.BecomeStandby();
            actions.RunInactiveCommand();
        }
        SetRole(RouterRole.Shutdown, "stopping");
        SendAll(PulseMessageType.Release);
    }

    /// <summary>T19: an operator lets a fenced router take part again (as backup).</summary>
    public void Rejoin()
    {
        if (role != RouterRole.Shutdown) return;
        lastHeard = time.GetTimestamp();
        SetRole(RouterRole.Backup, "rejoined by the operator");
    }

    public FailoverStatus Status
    {
        get
        {
            var byReason = new Dictionary<PulseDropReason, long>();
            foreach (var r in Enum.GetValues<PulseDropReason>()) byReason[r] = drops[(int)r];
            return new FailoverStatus
            {
                ConfiguredRole = settings.Roles.Role,
                ForceActive = settings.Roles.ForceActive,
                Role = role,
                AwaitingRelease = awaitingRelease,
                PeerLastHeard = peerLastHeard,
                PeerLastHeardOn = [.. peerLastHeardOn],
                PeerBootId = guard.CurrentBoot,
                PeerRole = peerRole,
                Transitions = transitions,
                LastTransitionReason = lastReason,
                LastTransitionAt = lastTransitionAt,
                FailbackTimeouts = failbackTimeouts,
                Stalls = stalls,
                Drops = byReason.ToFrozenDictionary(),
            };
        }
    }

    private void PeerStateSeen(RouterRole peer, bool peerBetter, long now)
    {
        peerRole = peer;
        bool peerStandby = peer != RouterRole.Active;
        switch (role)
        {
            case RouterRole.Active when !peerStandby:
                peerHeardActiveWhileActive = true;
                if (!peerBetter) break; // T13
                if (now < fenceGraceUntil) // T11
                {
                    if (now - lastFenceSent >= keepAliveTicks) Fence(now);
                }
                else StandDown("split brain: the peer is active too and has the better right"); // T12
                break;
            case RouterRole.Active:
                if (peerHeardActiveWhileActive)
                {
                    peerHeardActiveWhileActive = false;
                    actions.Reannounce(); // T14
                }
                break;
            case RouterRole.Backup when awaitingRelease:
                if (peerStandby) GoActive("failback: the peer released"); // T7
                break;
            case RouterRole.Backup when !peerStandby:
                if (!heardPeerActive)
                {
                    heardPeerActive = true;
                    holdOffUntil = Math.Max(holdOffUntil, now + failbackDelayTicks);
                }
                if (!peerBetter && now >= holdOffUntil) // T6
                {
                    awaitingRelease = true;
                    releaseDeadline = now + failbackTicks;
                    SendAll(PulseMessageType.TakeoverRequest);
                }
                break;
            case RouterRole.Backup:
                if (!peerBetter) GoActive("the peer is standby and this router has the better right"); // T5
                else if (peer == RouterRole.Shutdown) GoActive("the peer is shut down"); // T5
                break;
            case RouterRole.Shutdown:
                if (peer == RouterRole.Shutdown && !peerBetter) GoActive("both routers are shut down and this one has the better right"); // T15
                break;
        }
    }

    private void TakeOver(long now, string reason)
    {
        Fence(now);
        fenceGraceUntil = now + deadTimeTicks;
        GoActive(reason);
    }

    private void Fence(long now)
    {
        SendAll(PulseMessageType.Shutdown);
        lastFenceSent = now;
    }

    private void GoActive(string reason)
    {
        awaitingRelease = false;
        heardPeerActive = false;
        peerHeardActiveWhileActive = false;
        actions.BecomeActive();
        actions.RunActiveCommand();
        SetRole(RouterRole.Active, reason);
    }

    private void StandDown(string reason)
    {
        actions.BecomeStandby();
        actions.RunInactiveCommand();
        SetRole(RouterRole.Backup, reason);
        lastHeard = time.GetTimestamp();
        SendAll(PulseMessageType.Release);
    }

    private void Fenced()
    {
        awaitingRelease = false;
        if (role == RouterRole.Shutdown) return;
        if (role == RouterRole.Active)
        {
            actions.BecomeStandby();
            actions.RunInactiveCommand();
        }
        SetRole(RouterRole.Shutdown, "shut down by the peer (fenced)");
    }

    private void SetRole(RouterRole next, string reason)
    {
        var from = role;
        role = next;
        transitions++;
        lastReason = reason;
        lastTransitionAt = time.GetUtcNow();
        actions.Transitioned(new FailoverTransition(from, next, reason, lastTransitionAt.Value));
    }

    private void SendHeartbeats(long now)
    {
        SendAll(PulseMessageType.Heartbeat);
        nextHeartbeat = now + keepAliveTicks;
    }

    private void SendAll(PulseMessageType type)
    {
        SendOne(PulseNetwork.Public, type, default);
        if (settings.Roles.HasPrivateNetwork) SendOne(PulseNetwork.Private, type, default);
    }

    private void SendOne(PulseNetwork network, PulseMessageType type, ReadOnlySpan<byte> payload)
    {
        var self = network == PulseNetwork.Public ? settings.Roles.SelfPublic : settings.Roles.SelfPrivate!.Value;
        var header = new PulseHeader(type, role, ownFlags, self, BootId, ++sequence, time.GetUtcNow().ToUnixTimeMilliseconds());
        int length = codec.Encode(header, payload, sendBuffer);
        actions.Send(network, sendBuffer.AsSpan(0, length));
    }

    private bool ExpectedPeer(PulseNetwork network, out Scheduling.IPv4Address peer)
    {
        if (network == PulseNetwork.Public) { peer = settings.Roles.PeerPublic; return true; }
        if (network == PulseNetwork.Private && settings.Roles.PeerPrivate is { } p) { peer = p; return true; }
        peer = default;
        return false;
    }

    private bool Drop(PulseDropReason reason)
    {
        drops[(int)reason]++;
        return false;
    }

    private TimeSpan DueIn(long now)
    {
        long due = nextHeartbeat;
        if (role != RouterRole.Active) due = Math.Min(due, lastHeard + deadTimeTicks + 1);
        if (awaitingRelease) due = Math.Min(due, releaseDeadline);
        return due <= now ? TimeSpan.Zero : time.GetElapsedTime(now, due);
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
}
