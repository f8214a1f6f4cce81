using System.IO.Pipelines;
using System.Net.Sockets;
using UserLvs.Scheduling;

namespace UserLvs.Control;

/// <summary>
/// userlvs-adm's side of the control socket: each <see cref="IIpvsControl"/> call is one request line
/// and one response line on a Unix socket connection opened at construction. A daemon that is not
/// there, refuses the request or breaks the connection surfaces as <see cref="ControlUnavailableException"/>.
/// </summary>
public sealed class ControlClient : IIpvsControl, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;

    public ControlClient(string socketPath)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new ControlUnavailableException($"{socketPath}: {e.Message}");
        }
        _stream = new NetworkStream(_socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream);
        _writer = PipeWriter.Create(_stream);
    }

    public TableResult AddService(ServiceSettings service) => Call(new(ControlProtocol.Version, ControlOperation.AddService, Service: service)).Result;
    public TableResult EditService(ServiceSettings service) => Call(new(ControlProtocol.Version, ControlOperation.EditService, Service: service)).Result;
    public TableResult DeleteService(ServiceKey service) => Call(new(ControlProtocol.Version, ControlOperation.DeleteService, Key: service)).Result;
    public TableResult Clear() => Call(new(ControlProtocol.Version, ControlOperation.Clear)).Result;
    public TableResult Zero(ServiceKey? service) => Call(new(ControlProtocol.Version, ControlOperation.Zero, Key: service)).Result;
    public TableResult AddServer(ServiceKey service, ServerSettings server) => Call(new(ControlProtocol.Version, ControlOperation.AddServer, Key: service, Server: server)).Result;
    public TableResult EditServer(ServiceKey service, ServerSettings server) => Call(new(ControlProtocol.Version, ControlOperation.EditServer, Key: service, Server: server)).Result;
    public TableResult DeleteServer(ServiceKey service, string address, ushort port) =>
        Call(new(ControlProtocol.Version, ControlOperation.DeleteServer, Key: service, Address: address, Port: port)).Result;
    public TableResult SetTimeouts(Timeouts timeouts) => Call(new(ControlProtocol.Version, ControlOperation.SetTimeouts, Timeouts: timeouts)).Result;

    public ServiceTableInfo GetServices() =>
        Call(new(ControlProtocol.Version, ControlOperation.GetServices)).Services ?? throw Missing("services");

    public ServiceInfo? GetService(ServiceKey service) =>
        Call(new(ControlProtocol.Version, ControlOperation.GetService, Key: service)).Service;

    public IReadOnlyList<ConnectionInfo> GetConnections() =>
        Call(new(ControlProtocol.Version, ControlOperation.GetConnections)).Connections ?? throw Missing("connections");

    public Timeouts GetTimeouts() =>
        Call(new(ControlProtocol.Version, ControlOperation.GetTimeouts)).Timeouts ?? throw Missing("timeouts");

    public RouterStatus GetStatus() =>
        Call(new(ControlProtocol.Version, ControlOperation.GetStatus)).Status ?? throw Missing("status");

    private ControlResponse Call(ControlRequest request)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            ControlProtocol.WriteAsync(_writer, request, timeout.Token).AsTask().GetAwaiter().GetResult();
            byte[] line = ControlProtocol.ReadLineAsync(_reader, timeout.Token).AsTask().GetAwaiter().GetResult()
                ?? throw new ControlUnavailableException("the daemon closed the control connection");
            var response = ControlProtocol.Parse<ControlResponse>(line);
            if (response.Error is not null) throw new ControlUnavailableException(response.Error);
            return response;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or OperationCanceledException or System.Text.Json.JsonException)
        {
            throw new ControlUnavailableException($"control socket: {e.Message}");
        }
    }

    private static ControlUnavailableException Missing(string what) => new($"the daemon's answer carried no {what}");

    public void Dispose()
    {
        _reader.Complete();
        _writer.Complete();
        _stream.Dispose();
    }
}
