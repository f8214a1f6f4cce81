using System.Net;
using System.Text;

namespace UserLvs.Health.Checks;

/// <summary>
/// The built-in check of a real server on port 80 when lvs.cf sets neither send nor expect:
/// "GET / HTTP/1.0" with a Host header naming the real server, and the reply must begin with an
/// "HTTP/1.x NNN" status line. Any status passes (200, 301, 404, 500 alike), as Piranha's nanny
/// accepts any status line: the check asks "is a web server answering", not "is this page right";
/// write send/expect for a stricter check.
/// </summary>
public static class HttpProbe
{
    public const ushort Port = 80;

    public static IHealthCheck Create(TimeProvider time) =>
        TcpSendExpectCheck.WithRequest(Request, ReplyExpectation.HttpStatusLine, time);

    public static ReadOnlyMemory<byte> Request(IPEndPoint server) =>
        Encoding.ASCII.GetBytes($"GET / HTTP/1.0\r\nHost: {server.Address}\r\nUser-Agent: userlvs-nanny\r\n\r\n");
}
