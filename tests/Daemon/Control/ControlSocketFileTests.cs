using UserLvs.Control;

namespace UserLvs.Daemon.Tests.Control;

/// <summary>
/// The control socket as a file (DESIGN.md §5): a Unix socket of mode 0600, because whoever can write
/// to it can change the router's table (IPVS's setsockopt interface needs CAP_NET_ADMIN); a missing
/// directory is made owner-only; a socket left by a killed daemon is replaced; a daemon that stops
/// removes its socket, so userlvs-adm then says the daemon is not running.
/// </summary>
public class ControlSocketFileTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void Start_TheSocketFile_IsASocketOfMode0600()
    {
        using var control = new ControlSocket();

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(control.Path));
        Assert.True(IsSocket(control.Path), $"{control.Path} is not a socket");
    }

    [Fact]
    public void Start_InADirectoryThatDoesNotExist_MakesItOwnerOnly()
    {
        using var control = new ControlSocket();
        string path = Path.Combine(control.Directory, "run", "userlvs", "userlvsd.sock");

        var server = ControlSocket.Start(path, control.Handler, control.Log);
        try
        {
            Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            ControlSocket.Off(() => server.DisposeAsync().AsTask());
        }
    }

    [Fact]
    public void Dispose_RemovesTheSocketFile_AndClientsThenFindNoDaemon()
    {
        using var control = new ControlSocket();
        Assert.True(IsSocket(control.Path));

        control.StopServer();

        Assert.False(File.Exists(control.Path), "the socket file is still there after the server stopped");
        var refused = Assert.Throws<ControlUnavailableException>(() => control.Connect());
        Assert.StartsWith(control.Path + ": ", refused.Message);
    }

    [Fact]
    public void Start_OverAStaleSocketFile_ReplacesIt_AndServes()
    {
        using var control = new ControlSocket();
        control.StopServer();
        // What a killed daemon leaves: a socket file nobody listens on any more. (.NET unlinks the
        // file it bound when the Socket is disposed, so bind elsewhere and move the file into place.)
        string elsewhere = control.Path + ".bound";
        using (var killed = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            killed.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(elsewhere));
            File.Move(elsewhere, control.Path);
        }
        Assert.True(IsSocket(control.Path));
        Assert.Throws<ControlUnavailableException>(() => control.Connect()); // stale: connection refused

        var server = ControlSocket.Start(control.Path, control.Handler, control.Log);
        try
        {
            using var client = control.Connect();
            Assert.Equal(new Timeouts(900, 120, 300), ControlSocket.Off(client.GetTimeouts));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(control.Path));
        }
        finally
        {
            ControlSocket.Off(() => server.DisposeAsync().AsTask());
        }
    }

    [Fact]
    public void Connect_WithNoDaemon_IsControlUnavailable_NamingThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"userlvs-none-{Guid.NewGuid():N}.sock");

        var refused = Assert.Throws<ControlUnavailableException>(() => new ControlClient(path));

        Assert.StartsWith(path + ": ", refused.Message);
    }

    /// <summary>stat(2)'s S_IFSOCK, which .NET does not expose, through test(1).</summary>
    private static bool IsSocket(string path) => Run("test", "-S", path) == 0;

    private static int Run(string file, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        Assert.True(process.WaitForExit(10_000), $"{file} did not finish");
        return process.ExitCode;
    }
}
