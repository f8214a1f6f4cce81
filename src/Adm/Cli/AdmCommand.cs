namespace UserLvs.Adm.Cli;

/// <summary>ipvsadm's commands (CMD_ADD ... CMD_ZERO), numbered as ipvsadm numbers them, with their names in its messages.</summary>
internal enum AdmCommand
{
    None = 0,
    AddService,
    EditService,
    DeleteService,
    Flush,
    List,
    AddServer,
    DeleteServer,
    EditServer,
    SetTimeouts,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,
}

internal static class AdmCommandNames
{
    private static readonly string[] Names =
    [
        "add-service", "edit-service", "delete-service", "flush", "list", "add-server", "delete-server",
        "edit-server", "set", "start-daemon", "stop-daemon", "restore", "save", "zero",
    ];

    /// <summary>The name ipvsadm's option-check messages use ("add-server", "flush", ...).</summary>
    public static string Name(this AdmCommand command) => Names[(int)command - 1];
}
