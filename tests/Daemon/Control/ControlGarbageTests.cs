using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using UserLvs.Control;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Control;

/// <summary>
/// The control socket against clients that are not userlvs-adm (ControlProtocol): whatever arrives,
/// the daemon keeps its table unless a whole, valid, version-1 request line arrived. Garbage or a
/// wrong version is answered with one response line carrying an Error and the connection is closed;
/// an over-long line is refused and the connection closed; a request cut off by a disconnect is never
/// applied; well-formed requests may follow one another on one connection, and several clients may
/// talk at once.
/// </summary>
public class ControlGarbageTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly ServiceKey Web = new(Protocol.Tcp, "192.0.2.10", 80);
    private readonly ControlSocket _control = new();

    public void Dispose() => _control.Dispose();

    [Fact]
    public void NotJson_GetsOneErrorLine_ThenTheConnectionIsClosed_AndTheTableIsUnchanged()
    {
        using var raw = Connect();
        Send(raw, "{ this is not json\n");

        var lines = ReadUntilClosed(raw);

        var response = ControlProtocol.Parse<ControlResponse>(Encoding.UTF8.GetBytes(Assert.Single(lines)));
        Assert.StartsWith("bad request: ", response.Error);
        Assert.Equal(TableResult.InvalidArgument, response.Result);
        Assert.Equal(0, _control.Table.Current.Generation);
    }

    [Fact]
    public void JsonThatIsNotARequest_IsRefusedAsBadRequest()
    {
        using var raw = Connect();
        Send(raw, """{"Version":1,"Operation":"Reboot"}""" + "\n");

        var response = ControlProtocol.Parse<ControlResponse>(Encoding.UTF8.GetBytes(Assert.Single(ReadUntilClosed(raw))));

        Assert.StartsWith("bad request: ", response.Error);
        Assert.Equal(0, _control.Table.Current.Generation);
    }

    [Fact]
    public void ARequestMissingItsArgument_IsRefused_AndNothingChanges()
    {
        using var raw = Connect();
        Send(raw, """{"Version":1,"Operation":"AddServer"}""" + "\n");

        var response = ControlProtocol.Parse<ControlResponse>(Encoding.UTF8.GetBytes(ReadLine(raw)!));

        Assert.Equal("bad request: AddServer is missing an argument", response.Error);
        Assert.Equal(0, _control.Table.Current.Generation);
    }

    [Fact]
    public void WrongVersion_IsRefusedWithAClearError_AndNotApplied()
    {
        using var raw = Connect();
        var request = new ControlRequest(2, ControlOperation.AddService, Service: new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr"));
        Send(raw, Line(request));

        var response = ControlProtocol.Parse<ControlResponse>(Encoding.UTF8.GetBytes(Assert.Single(ReadUntilClosed(raw))));

        Assert.Equal("control protocol version 2 is not supported (this daemon speaks 1)", response.Error);
        Assert.Equal(ControlProtocol.Version, response.Version);
        Assert.Equal(0, _control.Table.Current.Count);
    }

    [Theory]
    [InlineData("the whole request but its newline")]
    [InlineData("half of the request")]
    public void RequestCutOffByADisconnect_ChangesNothing(string what)
    {
        string line = Line(new ControlRequest(ControlProtocol.Version, ControlOperation.AddService, Service: new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        string cut = what.StartsWith("half", StringComparison.Ordinal) ? line[..(line.Length / 2)] : line[..^1];
        using (var raw = Connect())
        {
            Send(raw, cut);
            raw.Shutdown(SocketShutdown.Send);
            Assert.Empty(ReadUntilClosed(raw)); // nothing to answer: no request arrived
        }

        Assert.NotNull(_control.Log.WaitFor("in the middle of a message", Limit));
        Assert.Equal(0, _control.Table.Current.Generation);
        using var client = _control.Connect();
        Assert.Empty(ControlSocket.Off(client.GetServices).Services);
    }

    [Fact]
    public async Task LineOverMaxLineBytes_TheDaemonStopsReadingAndCloses_NothingApplied()
    {
        using var raw = Connect();
        // A request's worth of JSON whitespace past the limit, with no newline yet.
        byte[] padded = Encoding.UTF8.GetBytes(new string(' ', ControlProtocol.MaxLineBytes + 1) + """{"Version":1,""");
        var writing = Task.Run(() => SendTolerantly(raw, padded));

        ReadUntilClosed(raw);
        await writing.WaitAsync(Limit);

        Assert.NotNull(_control.Log.WaitFor($"longer than {ControlProtocol.MaxLineBytes} bytes", Limit));
        Assert.Equal(0, _control.Table.Current.Generation);
    }

    [Fact]
    public async Task LineOverMaxLineBytes_EvenWithItsNewline_IsRefusedWithAnErrorLine_AndNotApplied()
    {
        using var raw = Connect();
        string request = Line(new ControlRequest(ControlProtocol.Version, ControlOperation.AddService, Service: new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        byte[] padded = Encoding.UTF8.GetBytes(new string(' ', ControlProtocol.MaxLineBytes + 1) + request);
        var writing = Task.Run(() => SendTolerantly(raw, padded));

        var lines = ReadUntilClosed(raw);
        await writing.WaitAsync(Limit);

        var response = ControlProtocol.Parse<ControlResponse>(Encoding.UTF8.GetBytes(Assert.Single(lines)));
        Assert.Contains($"longer than {ControlProtocol.MaxLineBytes} bytes", response.Error);
        Assert.Equal(0, _control.Table.Current.Count);
    }

    [Fact]
    public void ALongButLegalLine_IsServed()
    {
        using var raw = Connect();
        string request = Line(new ControlRequest(ControlProtocol.Version, ControlOperation.AddService, Service: new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        Send(raw, new string(' ', 64 * 1024) + request);

        var response = ControlProtocol.Parse<ControlResponse>(Encoding.UTF8.GetBytes(ReadLine(raw)!));

        Assert.Null(response.Error);
        Assert.Equal(TableResult.Ok, response.Result);
        Assert.Equal(1, _control.Table.Current.Count);
    }

    [Fact]
    public void SeveralRequestsInOneWrite_AreAnsweredInOrder_OnOneConnection()
    {
        using var raw = Connect();
        string batch = Line(new ControlRequest(1, ControlOperation.AddService, Service: new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")))
            + Line(new ControlRequest(1, ControlOperation.AddService, Service: new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")))
            + Line(new ControlRequest(1, ControlOperation.AddServer, Key: Web, Server: new ServerSettings("10.0.0.11", 80)))
            + Line(new ControlRequest(1, ControlOperation.GetService, Key: Web));
        Send(raw, batch);

        var answers = Enumerable.Range(0, 4).Select(_ => ControlProtocol.Parse<ControlResponse>(Encoding.UTF8.GetBytes(ReadLine(raw)!))).ToList();

        Assert.Equal([TableResult.Ok, TableResult.ServiceExists, TableResult.Ok, TableResult.Ok], answers.Select(a => a.Result));
        Assert.Equal("10.0.0.11", Assert.Single(answers[3].Service!.Servers).Settings.Address);
        raw.Shutdown(SocketShutdown.Send);
        Assert.Empty(ReadUntilClosed(raw)); // a clean end of stream: the daemon closes too, silently
    }

    [Fact]
    public void ManyRequestsOnOneClient_AllServed()
    {
        using var client = _control.Connect();
        ControlSocket.Off(() => client.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "wrr")));

        for (int i = 1; i <= 100; i++)
        {
            int n = i;
            Assert.Equal(TableResult.Ok, ControlSocket.Off(() => client.AddServer(Web, new ServerSettings($"10.0.1.{n}", 80, Weight: n))));
        }

        var servers = ControlSocket.Off(() => client.GetService(Web))!.Servers;
        Assert.Equal(Enumerable.Range(1, 100).Reverse().Select(n => ($"10.0.1.{n}", n)), servers.Select(s => (s.Settings.Address, s.Settings.Weight)));
    }

    [Fact]
    public async Task TwoClientsAtOnce_BothServed_EveryChangeKept()
    {
        using var setup = _control.Connect();
        ControlSocket.Off(() => setup.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        using var first = _control.Connect();
        using var second = _control.Connect();
        using var start = new Barrier(2);

        var a = Task.Run(() => AddServers(first, 1, start));
        var b = Task.Run(() => AddServers(second, 2, start));

        var results = await Task.WhenAll(a, b).WaitAsync(Limit * 3);
        Assert.All(results.SelectMany(r => r), r => Assert.Equal(TableResult.Ok, r));
        var addresses = ControlSocket.Off(() => setup.GetService(Web))!.Servers.Select(s => s.Settings.Address).ToHashSet();
        Assert.Equal(100, addresses.Count);
        Assert.Equal(Enumerable.Range(1, 50).SelectMany(n => new[] { $"10.1.0.{n}", $"10.2.0.{n}" }).ToHashSet(), addresses);
    }

    [Fact]
    public void AClientThatSentGarbage_DoesNotDisturbAnother()
    {
        using var client = _control.Connect();
        ControlSocket.Off(() => client.AddService(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "rr")));
        using (var raw = Connect())
        {
            Send(raw, "\0\0\0garbage\n");
            Assert.Single(ReadUntilClosed(raw));
        }

        Assert.Equal(TableResult.Ok, ControlSocket.Off(() => client.AddServer(Web, new ServerSettings("10.0.0.11", 80))));
        Assert.Single(ControlSocket.Off(() => client.GetService(Web))!.Servers);
    }

    private static List<TableResult> AddServers(ControlClient client, int network, Barrier start)
    {
        start.SignalAndWait(Limit);
        var results = new List<TableResult>();
        for (int n = 1; n <= 50; n++) results.Add(client.AddServer(Web, new ServerSettings($"10.{network}.0.{n}", 80)));
        return results;
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = (int)Limit.TotalMilliseconds, SendTimeout = (int)Limit.TotalMilliseconds };
        socket.Connect(new UnixDomainSocketEndPoint(_control.Path));
        return socket;
    }

    /// <summary>The daemon may close while we still write; what matters is what it did with the bytes.</summary>
    private static void SendTolerantly(Socket socket, byte[] bytes)
    {
        try { socket.Send(bytes); } catch (SocketException) { }
    }

    private static string Line(ControlRequest request) =>
        JsonSerializer.Serialize(request, ControlJsonContext.Default.ControlRequest) + "\n";

    private static void Send(Socket socket, string text) => socket.Send(Encoding.UTF8.GetBytes(text));

    /// <summary>One line (without its newline), or null if the daemon closed first. Bounded by the receive timeout.</summary>
    private static string? ReadLine(Socket socket)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (socket.Receive(one) == 1)
        {
            if (one[0] == (byte)'\n') return Encoding.UTF8.GetString(line.ToArray());
            line.Add(one[0]);
        }
        return null;
    }

    /// <summary>Every line the daemon sends until it closes the connection (bounded by the receive timeout).</summary>
    private static List<string> ReadUntilClosed(Socket socket)
    {
        var lines = new List<string>();
        var buffer = new byte[64 * 1024];
        var received = new List<byte>();
        int read;
        try
        {
            while ((read = socket.Receive(buffer)) > 0) received.AddRange(buffer.AsSpan(0, read));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // The daemon closed with our unread bytes in its queue; what it sent before is kept.
        }
        string text = Encoding.UTF8.GetString(received.ToArray());
        foreach (var line in text.Split('\n'))
            if (line.Length > 0) lines.Add(line);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), $"the daemon's answer ended mid-line: {text}");
        return lines;
    }
}
