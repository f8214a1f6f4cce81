using System.Net.Sockets;
using System.Text;

namespace UserLvs.Daemon.Hosting;

/// <summary>
/// sd_notify(3) for Type=notify units: READY=1 once forwarding runs, RELOADING=1 / READY=1 around a
/// SIGHUP reload, STOPPING=1 on the way out. A no-op when systemd did not set NOTIFY_SOCKET.
/// </summary>
public static class SystemdNotifier
{
    public static void Notify(string state)
    {
        string? path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path)) return;
        // A leading '@' names an abstract socket: its address starts with a NUL byte.
        if (path[0] == '@') path = "\0" + path[1..];
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            // systemd went away or the socket is not ours: nothing to tell, nothing to fail.
        }
    }
}
