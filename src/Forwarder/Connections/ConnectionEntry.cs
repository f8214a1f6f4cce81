using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// One tracked connection, IPVS's struct ip_vs_conn reduced to what LVS-NAT needs: the client, the
/// virtual service it asked for, the real server it was given, its protocol state and when it expires.
/// A plain struct in the table's flat array (no object per connection); the table hands out
/// read-only references, and only the table changes an entry.
/// </summary>
public struct ConnectionEntry
{
    internal RealServer? ServerField;
    internal long ExpiresAtField;
    internal uint ClientValue;
    internal uint VirtualValue;
    internal uint RealValue;
    internal ushort ClientPortField;
    internal ushort VirtualPortField;
    internal ushort RealPortField;
    internal Protocol ProtocolField;
    internal TcpState StateField;
    internal ConnectionFlags FlagsField;
    /// <summary>When this connection was last exported to the backup: the forwarding clock in seconds, mod 2^16 (fits the padding).</summary>
    internal ushort SyncStampField;
    /// <summary>The persistence template this connection holds, or <see cref="PersistenceTemplateTable.NoTemplate"/>.</summary>
    internal int TemplateField;
    /// <summary>The table's keyed hash of (protocol, client, client port): its low bits are the entry's home slot.</summary>
    internal uint HashField;

    public readonly Protocol Protocol => ProtocolField;
    public readonly IPv4Address ClientAddress => new(ClientValue);
    public readonly ushort ClientPort => ClientPortField;
    public readonly IPv4Address VirtualAddress => new(VirtualValue);
    public readonly ushort VirtualPort => VirtualPortField;
    public readonly IPv4Address RealAddress => new(RealValue);
    public readonly ushort RealPort => RealPortField;
    public readonly VirtualServiceKey Service => new(ProtocolField, new IPv4Address(VirtualValue), VirtualPortField);

    /// <summary>The real server chosen for the connection (the snapshot's object at scheduling time).</summary>
    public readonly RealServer Server => ServerField!;

    /// <summary>The TCP state; <see cref="TcpState.None"/> for UDP.</summary>
    public readonly TcpState State => StateField;

    /// <summary>When the connection expires unless another packet arrives (milliseconds, the caller's clock).</summary>
    public readonly long ExpiresAt => ExpiresAtField;

    /// <summary>Counted among the server's active connections (IPVS: the IP_VS_CONN_F_INACTIVE flag is clear).</summary>
    public readonly bool IsActive => (FlagsField & ConnectionFlags.Inactive) == 0;

    public readonly bool HasTemplate => TemplateField != PersistenceTemplateTable.NoTemplate;

    /// <summary>Made from a sync record (connection sync from the active router) and not yet seen by a packet here.</summary>
    public readonly bool IsSynced => (FlagsField & ConnectionFlags.Synced) != 0;

    /// <summary>The IPVS name of the state, as ipvsadm -L -c prints it.</summary>
    public readonly string StateName => ProtocolField == Protocol.Udp ? TcpStates.UdpStateName : StateField.ToIpvsName();

    internal readonly bool InUse => (FlagsField & ConnectionFlags.InUse) != 0;
}

[Flags]
internal enum ConnectionFlags : byte
{
    None = 0,
    InUse = 1,
    /// <summary>IPVS's IP_VS_CONN_F_INACTIVE: counted in the server's inactive connections.</summary>
    Inactive = 2,
    /// <summary>IPVS's IP_VS_CONN_F_SYNC: created by connection sync; cleared by the first packet this router forwards for it.</summary>
    Synced = 4,
}
