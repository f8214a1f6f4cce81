using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using UserLvs.Control;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Control;

/// <summary>
/// The control socket: a Unix stream socket, mode 0600 (root only, as IPVS's setsockopt interface
/// needs CAP_NET_ADMIN), speaking <see cref="ControlProtocol"/> over System.IO.Pipelines. Each client
/// is served on its own task; requests are applied one at a time. A client that sends garbage gets
/// an error and is disconnected; one that disconnects mid-request changes nothing, because a request
/// is applied only once its whole line has arrived.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private readonly string _path;
    private readonly IIpvsControl _handler;
    private readonly ILogger _log;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Task _accepting;

    public ControlServer(string path, IIpvsControl handler, ILogger log)
    {
        _path = path;
        _handler = handler;
        _log = log;
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(path)) File.Delete(path); // a socket a killed daemon left behind
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException e) { _log.LogWarning("control socket accept: {Error}", e.Message); continue; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var reader = PipeReader.Create(stream);
        var writer = PipeWriter.Create(stream);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                byte[]? line = await ControlProtocol.ReadLineAsync(reader, _stop.Token);
                if (line is null) return;
                ControlRequest request;
                try
                {
                    request = ControlProtocol.Parse<ControlRequest>(line);
                }
                catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
                {
                    await ControlProtocol.WriteAsync(writer, Refused($"bad request: {e.Message}"), _stop.Token);
                    return;
                }
                if (request.Version != ControlProtocol.Version)
                {
                    await ControlProtocol.WriteAsync(writer,
                        Refused($"control protocol version {request.Version} is not supported (this daemon speaks {ControlProtocol.Version})"), _stop.Token);
                    return;
                }
                var response = await ApplyAsync(request);
                await ControlProtocol.WriteAsync(writer, response, _stop.Token);
            }
        }
        catch (ControlMessageTooLongException e)
        {
            // Say why (if the client still listens) and close; nothing was applied.
            _log.LogDebug("control client dropped: {Error}", e.Message);
            try { await ControlProtocol.WriteAsync(writer, Refused($"bad request: {e.Message}"), _stop.Token); }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException) { }
        }
        catch (InvalidDataException e)
        {
            // The client went away in the middle of a message: nobody to answer, nothing applied.
            _log.LogDebug("control client dropped: {Error}", e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The client went away or the daemon is stopping: nothing was half-applied.
        }
        finally
        {
            await reader.CompleteAsync();
            await writer.CompleteAsync();
        }
    }

    private async Task<ControlResponse> ApplyAsync(ControlRequest request)
    {
        await _oneAtATime.WaitAsync(_stop.Token);
        try
        {
            var response = Apply(request);
            if (response.Result != TableResult.Ok || IsChange(request.Operation))
                _log.LogInformation("control: {Operation} -> {Result}", request.Operation, response.Result);
            return response;
        }
        catch (Exception e) when (e is TimeoutException or ArgumentException)
        {
            return Refused(e.Message);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private ControlResponse Apply(ControlRequest r)
    {
        const int v = ControlProtocol.Version;
        return r.Operation switch
        {
            ControlOperation.AddService when r.Service is not null => new(v, _handler.AddService(r.Service)),
            ControlOperation.EditService when r.Service is not null => new(v, _handler.EditService(r.Service)),
            ControlOperation.DeleteService when r.Key is not null => new(v, _handler.DeleteService(r.Key)),
            ControlOperation.Clear => new(v, _handler.Clear()),
            ControlOperation.Zero => new(v, _handler.Zero(r.Key)),
            ControlOperation.AddServer when r.Key is not null && r.Server is not null => new(v, _handler.AddServer(r.Key, r.Server)),
            ControlOperation.EditServer when r.Key is not null && r.Server is not null => new(v, _handler.EditServer(r.Key, r.Server)),
            ControlOperation.DeleteServer when r.Key is not null && r.Address is not null => new(v, _handler.DeleteServer(r.Key, r.Address, r.Port)),
            ControlOperation.SetTimeouts when r.Timeouts is not null => new(v, _handler.SetTimeouts(r.Timeouts)),
            ControlOperation.GetServices => new(v, TableResult.Ok, Services: _handler.GetServices()),
            ControlOperation.GetService when r.Key is not null => _handler.GetService(r.Key) is { } service
                ? new(v, TableResult.Ok, Service: service)
                : new(v, TableResult.NoSuchService),
            ControlOperation.GetConnections => new(v, TableResult.Ok, Connections: _handler.GetConnections()),
            ControlOperation.GetTimeouts => new(v, TableResult.Ok, Timeouts: _handler.GetTimeouts()),
            ControlOperation.GetStatus => new(v, TableResult.Ok, Status: _handler.GetStatus()),
            _ => Refused($"bad request: {r.Operation} is missing an argument"),
        };
    }

    private static bool IsChange(ControlOperation operation) =>
        operation is not (ControlOperation.GetServices or ControlOperation.GetService or ControlOperation.GetConnections
            or ControlOperation.GetTimeouts or ControlOperation.GetStatus);

    private static ControlResponse Refused(string error) => new(ControlProtocol.Version, TableResult.InvalidArgument, error);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { await _accepting; } catch (OperationCanceledException) { }
        try { File.Delete(_path); } catch (IOException) { }
        _stop.Dispose();
    }
}
