using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UserLvs.Health.Tests.Checks;

/// <summary>
/// Tiny in-process servers on 127.0.0.1 for the checkers: a TCP server that runs a script per
/// connection (read what the check sent, answer, stay silent, close), and a UDP one. Disposing
/// stops them. Ports come from the kernel (port 0).
/// </summary>
internal sealed class TcpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];

    public TcpServer(Func<Socket, CancellationToken, Task> script, bool accept = true)
    {
        _listener.Start();
        if (accept) _ = AcceptLoop(script);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Everything the checks sent, one entry per connection that sent something.</summary>
    public List<string> Received { get; } = [];

    /// <summary>Writes <paramref name="reply"/> to each connection, then closes it.</summary>
    public static TcpServer Banner(string reply) => new(async (s, t) =>
    {
        await s.SendAsync(Encoding.ASCII.GetBytes(reply), t);
        s.Shutdown(SocketShutdown.Both);
    });

    /// <summary>Accepts and never writes (the deadline must end the check).</summary>
    public static TcpServer Silent() => new((_, t) => Task.Delay(Timeout.Infinite, t));

    /// <summary>Reads until <paramref name="end"/> arrives, records it, then writes <paramref name="reply"/> and closes.</summary>
    public static TcpServer Answering(string end, string reply)
    {
        TcpServer? server = null;
        server = new TcpServer(async (s, t) =>
        {
            var text = new StringBuilder();
            var buffer = new byte[1024];
            while (!text.ToString().Contains(end, StringComparison.Ordinal))
            {
                int n = await s.ReceiveAsync(buffer, t);
                if (n == 0) break;
                text.Append(Encoding.Latin1.GetString(buffer, 0, n));
            }
            lock (server!.Received) server.Received.Add(text.ToString());
            await s.SendAsync(Encoding.ASCII.GetBytes(reply), t);
            s.Shutdown(SocketShutdown.Both);
        });
        return server;
    }

    private async Task AcceptLoop(Func<Socket, CancellationToken, Task> script)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_accepted) _accepted.Add(socket);
                _ = Task.Run(async () =>
                {
                    try { await script(socket, _stop.Token); }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
                });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted) foreach (var s in _accepted) s.Dispose();
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static IPEndPoint ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return (IPEndPoint)probe.LocalEndpoint;
    }
}

internal sealed class UdpServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();

    /// <param name="answer">The reply to a datagram, or null to stay silent.</param>
    public UdpServer(Func<string, string?> answer)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _ = Loop(answer);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public List<string> Received { get; } = [];

    private async Task Loop(Func<string, string?> answer)
    {
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                var got = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                string text = Encoding.Latin1.GetString(buffer, 0, got.ReceivedBytes);
                lock (Received) Received.Add(text);
                if (answer(text) is { } reply) await _socket.SendToAsync(Encoding.ASCII.GetBytes(reply), SocketFlags.None, got.RemoteEndPoint);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public static IPEndPoint ClosedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }
}
