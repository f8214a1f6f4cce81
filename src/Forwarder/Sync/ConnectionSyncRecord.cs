using System.Buffers.Binary;
using UserLvs.Forwarder.Connections;
using UserLvs.Scheduling;

namespace UserLvs.Forwarder.Sync;

/// <summary>What a sync record describes (IPVS marks templates with IP_VS_CONN_F_TEMPLATE).</summary>
public enum ConnectionSyncKind : byte
{
    /// <summary>A client's connection: client:cport -> VIP:vport, forwarded to RIP:rport.</summary>
    Connection = 0,

    /// <summary>A persistence template: the client network (client address, port 0) keeps going to RIP:rport.</summary>
    Template = 1,
}

/// <summary>
/// One connection (or persistence template) as the active router tells the backup about it: the
/// fields of IPVS's struct ip_vs_sync_v4 that LVS-NAT needs (protocol, cport, vport, dport, caddr,
/// vaddr, daddr, state, timeout), fixed size, network byte order:
///
///    0  kind(1) protocol(1) state(1) reserved(1)
///    4  cport(2) vport(2)
///    8  dport(2) reserved(2)
///   12  caddr(4)      a template: the client network (client address AND the service's pmask)
///   16  vaddr(4)
///   20  daddr(4)      the real server
///   24  timeout(4)    milliseconds the entry has left when it is sent (IPVS sends the state's
///                     timeout in seconds; milliseconds keep keepalive-scale tests exact)
///
/// No fwmark, sequence-offset or persistence-engine options: UserLvs forwards no fwmark services and
/// never changes sequence numbers (no application helpers), so those would always be empty.
/// </summary>
public readonly record struct ConnectionSyncRecord(
    ConnectionSyncKind Kind,
    Protocol Protocol,
    TcpState State,
    IPv4Address ClientAddress,
    ushort ClientPort,
    IPv4Address VirtualAddress,
    ushort VirtualPort,
    IPv4Address RealAddress,
    ushort RealPort,
    uint TimeoutMilliseconds)
{
    /// <summary>Bytes of one encoded record.</summary>
    public const int Size = 28;

    public VirtualServiceKey Service => new(Protocol, VirtualAddress, VirtualPort);

    /// <summary>The record of a tracked connection with <paramref name="remaining"/> milliseconds to live.</summary>
    public static ConnectionSyncRecord Of(in ConnectionEntry connection, long remaining) =>
        new(ConnectionSyncKind.Connection, connection.Protocol, connection.State,
            connection.ClientAddress, connection.ClientPort, connection.VirtualAddress, connection.VirtualPort,
            connection.RealAddress, connection.RealPort, ClampTimeout(remaining));

    /// <summary>The record of the persistence template a connection of a persistent service holds.</summary>
    public static ConnectionSyncRecord TemplateOf(in ConnectionEntry connection, Persistence persistence) =>
        new(ConnectionSyncKind.Template, connection.Protocol, TcpState.None,
            connection.ClientAddress.Mask(persistence.Netmask), 0, connection.VirtualAddress, connection.VirtualPort,
            connection.RealAddress, connection.RealPort, ClampTimeout(persistence.TimeoutSeconds * 1000L));

    /// <summary>Writes the record into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        destination = destination[..Size];
        destination[0] = (byte)Kind;
        destination[1] = (byte)Protocol;
        destination[2] = (byte)State;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], VirtualPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], RealPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], ClientAddress.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], VirtualAddress.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], RealAddress.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], TimeoutMilliseconds);
    }

    /// <summary>Reads and validates one record; never throws.</summary>
    public static SyncDecodeStatus TryRead(ReadOnlySpan<byte> source, out ConnectionSyncRecord record)
    {
        record = default;
        if (source.Length < Size) return SyncDecodeStatus.LengthMismatch;
        var kind = (ConnectionSyncKind)source[0];
        var protocol = (Protocol)source[1];
        var state = (TcpState)source[2];
        if (kind is not (ConnectionSyncKind.Connection or ConnectionSyncKind.Template)) return SyncDecodeStatus.BadKind;
        if (protocol is not (Protocol.Tcp or Protocol.Udp)) return SyncDecodeStatus.BadProtocol;
        // As ip_vs_proc_sync_conn: a state beyond the protocol's table is refused; UDP and templates have one state.
        if ((int)state >= TcpStates.Count || (state != TcpState.None && (protocol == Protocol.Udp || kind == ConnectionSyncKind.Template)))
            return SyncDecodeStatus.BadState;
        if (source[3] != 0 || BinaryPrimitives.ReadUInt16BigEndian(source[10..]) != 0) return SyncDecodeStatus.BadReserved;
        record = new ConnectionSyncRecord(kind, protocol, state,
            new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(source[12..])), BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(source[16..])), BinaryPrimitives.ReadUInt16BigEndian(source[6..]),
            new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(source[20..])), BinaryPrimitives.ReadUInt16BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[24..]));
        return SyncDecodeStatus.Ok;
    }

    private static uint ClampTimeout(long milliseconds) => (uint)Math.Clamp(milliseconds, 0, uint.MaxValue);
}
