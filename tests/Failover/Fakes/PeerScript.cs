using UserLvs.Failover.Protocol;
using UserLvs.Scheduling;

namespace UserLvs.Failover.Tests.Fakes;

/// <summary>
/// Writes datagrams as the peer (or an attacker posing as it) would: any key, boot, sequence,
/// timestamp and sender address, for tests that drive one state machine by hand.
/// </summary>
public sealed class PeerScript(TimeProvider time, bool isPrimary, byte[]? key = null, ulong bootId = 0xBEEF)
{
    private readonly PulseCodec codec = new(key ?? Addresses.Key);

    public ulong BootId { get; set; } = bootId;
    public ulong Sequence { get; set; }
    public bool ForceActive { get; set; }

    public byte[] Make(PulseMessageType type, RouterRole state, PulseNetwork network = PulseNetwork.Public,
        ulong? sequence = null, long? timestampMs = null, IPv4Address? sender = null, PulseFlags? flags = null, byte[]? payload = null)
    {
        var address = sender ?? (isPrimary
            ? network == PulseNetwork.Public ? Addresses.PrimaryPublic : Addresses.PrimaryPrivate
            : network == PulseNetwork.Public ? Addresses.BackupPublic : Addresses.BackupPrivate);
        var header = new PulseHeader(type, state,
            flags ?? ((isPrimary ? PulseFlags.Primary : PulseFlags.None) | (ForceActive ? PulseFlags.ForceActive : PulseFlags.None)),
            address, BootId, sequence ?? ++Sequence, timestampMs ?? time.GetUtcNow().ToUnixTimeMilliseconds());
        var buffer = new byte[PulseWireFormat.MaxDatagram];
        int length = codec.Encode(header, payload ?? [], buffer);
        return buffer[..length];
    }
}
