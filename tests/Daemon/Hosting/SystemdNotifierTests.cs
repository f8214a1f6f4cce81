using System.Net.Sockets;
using System.Text;
using UserLvs.Daemon.Hosting;

namespace UserLvs.Daemon.Tests.Hosting;

public class SystemdNotifierTests
{
    [Fact]
    public void Notify_SendsTheStateToNotifySocket_AsSdNotifyDoes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ulvs-notify-{Guid.NewGuid():N}.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        systemd.ReceiveTimeout = 2000;
        string? before = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        try
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
            SystemdNotifier.Notify("READY=1");
            var buffer = new byte[64];
            int n = systemd.Receive(buffer);
            Assert.Equal("READY=1", Encoding.UTF8.GetString(buffer, 0, n));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", before);
            File.Delete(path);
        }
    }
}
