namespace UserLvs.Forwarder.Connections;

/// <summary>What <see cref="ConnectionTable.ApplySynced"/> did with a connection the active router reported.</summary>
public enum SyncApplyResult : byte
{
    /// <summary>A new entry was made (counted in its server's connections).</summary>
    Added,

    /// <summary>The entry existed: its state and expiry were brought up to date.</summary>
    Refreshed,

    /// <summary>The table is full: the record was skipped; established connections stay untouched.</summary>
    Full,
}
