using UserLvs.Scheduling;

namespace UserLvs.Health.Checks;

/// <summary>Builds the check a monitor runs; a seam so tests can hand monitors scripted checks.</summary>
public interface ICheckFactory
{
    /// <param name="virtualPort">The virtual service's port: nanny's built-in HTTP probe is for port 80 services.</param>
    IHealthCheck Create(ServiceCheckSettings settings, Protocol protocol, ushort virtualPort);
}

/// <summary>
/// Which check a virtual service's settings mean, in Piranha's order of precedence:
///   send_program set            the program (its output against expect, or its exit status)
///   TCP, send or expect set     send/expect over TCP
///   TCP, virtual port 80,       the built-in HTTP probe (lvs.cf services only; nanny decides by the
///   neither set                 port it is given, the virtual service's, whatever the server's is)
///   TCP otherwise               a TCP connect
///   UDP                         send/expect over UDP, or the port probe when neither is set
/// </summary>
public sealed class CheckFactory(TimeProvider time) : ICheckFactory
{
    public IHealthCheck Create(ServiceCheckSettings settings, Protocol protocol, ushort virtualPort)
    {
        var expect = settings.Expect is { Length: > 0 } e ? ReplyExpectation.From(e, settings.UseRegex) : null;
        var send = settings.Send is { Length: > 0 } s ? CheckText.Unescape(s) : null;
        if (settings.SendProgram is { Length: > 0 } program) return new SendProgramCheck(program, expect, time);
        if (protocol == Protocol.Udp) return new UdpCheck(send, expect, time);
        if (send is not null || expect is not null) return new TcpSendExpectCheck(send, expect, time);
        if (virtualPort == HttpProbe.Port && settings.HttpProbeOnPort80) return HttpProbe.Create(time);
        return new TcpConnectCheck(time);
    }
}
