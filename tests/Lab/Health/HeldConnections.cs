using System.Diagnostics;

namespace UserLvs.Lab.Tests.Health;

/// <summary>
/// Three HTTP/1.1 keep-alive connections through the VIP from the client namespace, held open by a
/// small python3 program (rr gives one to each real server). <see cref="Ask"/> sends one more
/// request on each and returns who answered, in connection order: an established connection that
/// still reaches its server answers with that server's name. Killed by its own id on dispose.
/// </summary>
internal sealed class HeldConnections : IDisposable
{
    private const string Program = """
        import socket, sys
        conns = [socket.create_connection(("192.0.2.10", 80), timeout=5) for _ in range(3)]
        def ask(s):
            s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk: return "closed"
                data += chunk
            head, body = data.split(b"\r\n\r\n", 1)
            length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            while len(body) < length: body += s.recv(4096)
            return body.decode().strip()
        while True:
            print(" ".join(ask(s) for s in conns), flush=True)
            if not sys.stdin.readline(): break
        """;

    private readonly Process _process;

    public HeldConnections(string clientNamespace)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "netns", "exec", clientNamespace, "/usr/bin/python3", "-c", Program }) start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start python3");
        First = ReadAnswers();
    }

    /// <summary>Who answered the first request on each connection.</summary>
    public string[] First { get; }

    public string[] Ask()
    {
        _process.StandardInput.WriteLine();
        _process.StandardInput.Flush();
        return ReadAnswers();
    }

    private string[] ReadAnswers()
    {
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result is null)
        {
            string error = _process.HasExited ? _process.StandardError.ReadToEnd() : "(no answer within 20 s)";
            throw new InvalidOperationException($"held connections: {error}");
        }
        return line.Result.Split(' ');
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
