namespace UserLvs.Forwarder.Connections;

/// <summary>What <see cref="PersistenceTemplateTable.Import"/> did with a template the active router reported.</summary>
public enum TemplateImportResult : byte
{
    /// <summary>A new template was made (counted in its server's persistent connections).</summary>
    Added,

    /// <summary>The same template existed: its expiry was raised.</summary>
    Refreshed,

    /// <summary>Every slot of the key's window holds a live template: skipped.</summary>
    Full,

    /// <summary>The service here is not persistent: there is nothing to keep.</summary>
    NotPersistent,
}
