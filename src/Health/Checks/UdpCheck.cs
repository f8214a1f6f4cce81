using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace UserLvs.Health.Checks;

/// <summary>
/// A UDP service's check over a connected UDP socket (connected, so the kernel reports the ICMP
/// port-unreachable that a closed port answers as "connection refused"):
///   with expect   send <c>send</c> (or an empty datagram), and a reply datagram must come within
///                 the deadline and match expect;
///   without       send <c>send</c> (or an empty datagram) and listen for up to <see cref="QuietWait"/>
///                 (or the deadline if shorter): a reply or silence passes, port unreachable fails.
///                 UDP services need not answer, so silence cannot mean "down"; a closed port can.
/// </summary>
public sealed class UdpCheck(byte[]? send, ReplyExpectation? expect, TimeProvider time) : IHealthCheck
{
    /// <summary>An ICMP error comes back within a round trip; on a LAN a second is plenty.</summary>
    public static readonly TimeSpan QuietWait = TimeSpan.FromSeconds(1);

    public async ValueTask<CheckResult> CheckAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var wait = expect is null && QuietWait < timeout ? QuietWait : timeout;
        using var deadline = new Deadline(time, wait, cancellationToken);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var buffer = ArrayPool<byte>.Shared.Rent(ReplyExpectation.MaxReply);
        try
        {
            await socket.ConnectAsync(server, deadline.Token);
            await socket.SendAsync(send ?? [], SocketFlags.None, deadline.Token);
            int n = await socket.ReceiveAsync(buffer.AsMemory(0, ReplyExpectation.MaxReply), SocketFlags.None, deadline.Token);
            return expect?.Judge(new ReadOnlySequence<byte>(buffer, 0, n), complete: true) ?? CheckResult.Pass;
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            return expect is null ? CheckResult.Pass : CheckResult.Fail($"{deadline.TimedOut} waiting for a reply datagram");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return CheckResult.Fail("connection refused (ICMP port unreachable)");
        }
        catch (SocketException e)
        {
            return CheckResult.Fail(Deadline.Describe(e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
