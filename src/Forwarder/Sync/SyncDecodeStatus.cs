namespace UserLvs.Forwarder.Sync;

/// <summary>Why a sync batch was refused (or <see cref="Ok"/>): the decoder reports, never throws.</summary>
public enum SyncDecodeStatus
{
    Ok = 0,

    /// <summary>Shorter than the 8-byte header.</summary>
    TooShort,

    /// <summary>A protocol version this router does not speak (the header's first byte).</summary>
    BadVersion,

    /// <summary>The header announces a record size other than <see cref="ConnectionSyncRecord.Size"/>.</summary>
    BadRecordSize,

    /// <summary>The datagram's length is not the header plus the announced records.</summary>
    LengthMismatch,

    /// <summary>More records than <see cref="ConnectionSyncBatch.MaxRecords"/>, or than the caller's buffer holds.</summary>
    TooManyRecords,

    /// <summary>A record that is neither a connection nor a template.</summary>
    BadKind,

    /// <summary>A record for a protocol other than TCP and UDP.</summary>
    BadProtocol,

    /// <summary>A TCP state outside IPVS's table, or a state on a UDP connection or a template.</summary>
    BadState,

    /// <summary>A reserved byte that is not zero (a newer sender's field this version cannot honour).</summary>
    BadReserved,
}
