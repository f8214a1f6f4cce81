using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace UserLvs.Health.Checks;

/// <summary>
/// lvs.cf send/expect over TCP: connect, write <c>send</c> (if any), then read through a
/// <see cref="PipeReader"/> until the <see cref="ReplyExpectation"/> can decide, the server closes,
/// <see cref="ReplyExpectation.MaxReply"/> bytes are in, or the deadline passes. Without an expect,
/// a connection that took the send passes. Every step counts against one deadline.
/// </summary>
public sealed class TcpSendExpectCheck : IHealthCheck
{
    private readonly Func<IPEndPoint, ReadOnlyMemory<byte>>? _send;
    private readonly ReplyExpectation? _expect;
    private readonly TimeProvider _time;

    public TcpSendExpectCheck(byte[]? send, ReplyExpectation? expect, TimeProvider time)
        : this(send is null ? null : (Func<IPEndPoint, ReadOnlyMemory<byte>>)(_ => send), expect, time)
    {
    }

    /// <summary>A check whose request depends on the server (the HTTP probe's Host header).</summary>
    public static TcpSendExpectCheck WithRequest(Func<IPEndPoint, ReadOnlyMemory<byte>> request, ReplyExpectation? expect, TimeProvider time) =>
        new(request, expect, time);

    private TcpSendExpectCheck(Func<IPEndPoint, ReadOnlyMemory<byte>>? send, ReplyExpectation? expect, TimeProvider time)
    {
        _send = send;
        _expect = expect;
        _time = time;
    }

    public async ValueTask<CheckResult> CheckAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(_time, timeout, cancellationToken);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        byte[] seen = [];
        try
        {
            await socket.ConnectAsync(server, deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            if (_send is not null)
            {
                var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
                await writer.WriteAsync(_send(server), deadline.Token);
                await writer.CompleteAsync();
            }
            if (_expect is null) return CheckResult.Pass;

            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            try
            {
                while (true)
                {
                    var read = await reader.ReadAsync(deadline.Token);
                    var buffer = read.Buffer;
                    bool full = buffer.Length >= ReplyExpectation.MaxReply;
                    var reply = full ? buffer.Slice(0, ReplyExpectation.MaxReply) : buffer;
                    seen = reply.Slice(0, Math.Min(reply.Length, CheckText.QuoteLimit + 1)).ToArray();
                    if (_expect.Judge(reply, read.IsCompleted || full) is { } verdict) return verdict;
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            finally
            {
                await reader.CompleteAsync();
            }
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            return CheckResult.Fail(seen.Length == 0 ? deadline.TimedOut : $"{deadline.TimedOut}, got only {CheckText.Quote(seen)}");
        }
        catch (SocketException e)
        {
            return CheckResult.Fail(Deadline.Describe(e));
        }
        catch (IOException e)
        {
            return CheckResult.Fail(Deadline.Describe(e));
        }
    }
}
