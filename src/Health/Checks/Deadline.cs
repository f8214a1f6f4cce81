using System.Net.Sockets;

namespace UserLvs.Health.Checks;

/// <summary>
/// The per-check deadline on the injected clock, and the reasons a log line carries for what the
/// network says. A check runs with <see cref="Token"/> (its monitor's stop token or the deadline);
/// an <see cref="OperationCanceledException"/> that the stop token did not cause is the deadline.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _stop;

    public Deadline(TimeProvider time, TimeSpan timeout, CancellationToken stop)
    {
        Timeout = timeout;
        _stop = stop;
        _deadline = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _deadline.Token);
    }

    public TimeSpan Timeout { get; }

    public CancellationToken Token => _linked.Token;

    /// <summary>True when an <see cref="OperationCanceledException"/> means "too slow", not "stopped".</summary>
    public bool Expired => _deadline.IsCancellationRequested && !_stop.IsCancellationRequested;

    public string TimedOut => CheckText.TimedOut(Timeout);

    public void Dispose()
    {
        _linked.Dispose();
        _deadline.Dispose();
    }

    /// <summary>A socket error as nanny reports it: "connection refused", "host unreachable", ...</summary>
    public static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.TimedOut => "timed out",
        _ => e.Message.ToLowerInvariant(),
    };

    public static string Describe(IOException e) =>
        e.InnerException is SocketException s ? Describe(s) : e.Message;
}
