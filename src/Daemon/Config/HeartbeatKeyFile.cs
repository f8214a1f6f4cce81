namespace UserLvs.Daemon.Config;

/// <summary>
/// Checks the new <c>heartbeat_key_file</c> at load time, so that --check and a reload refuse a key
/// the failover module could not use: it must exist, be a readable file and not be empty. A key that
/// group or others may read is accepted with a warning, as ssh warns about private keys.
/// </summary>
internal static class HeartbeatKeyFile
{
    public static void Check(string fullPath, string shownAs, out string? error, out string? warning)
    {
        error = null;
        warning = null;
        try
        {
            if (Directory.Exists(fullPath)) { error = $"heartbeat_key_file '{shownAs}' is a directory, not a file"; return; }
            if (!File.Exists(fullPath)) { error = $"heartbeat_key_file '{shownAs}' does not exist"; return; }
            using (var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                if (stream.ReadByte() < 0) { error = $"heartbeat_key_file '{shownAs}' is empty"; return; }
            }
            if (!OperatingSystem.IsWindows())
            {
                const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
                if ((File.GetUnixFileMode(fullPath) & shared) != 0)
                    warning = $"heartbeat_key_file '{shownAs}' can be read or written by group or others; make it mode 0600";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error = $"heartbeat_key_file '{shownAs}' cannot be read: {e.Message}";
        }
    }
}
