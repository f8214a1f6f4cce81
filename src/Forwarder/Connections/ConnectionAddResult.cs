namespace UserLvs.Forwarder.Connections;

/// <summary>What happened to a new connection offered to a <see cref="ConnectionTable"/>.</summary>
public enum ConnectionAddResult : byte
{
    /// <summary>Tracked; its index was returned.</summary>
    Added,

    /// <summary>Every entry holds a live connection: the new one is refused and the caller drops and counts the packet.</summary>
    Full,

    /// <summary>A live connection with the same inbound key exists already; its index was returned.</summary>
    Exists,
}
