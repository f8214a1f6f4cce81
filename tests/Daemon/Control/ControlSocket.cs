using UserLvs.Control;
using UserLvs.Daemon.Control;
using UserLvs.Forwarder.Connections;
using UserLvs.Forwarder.Nat;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Control;

/// <summary>
/// The daemon's control plane without the data plane: a <see cref="ControlServer"/> on a socket in a
/// fresh temporary directory, over a <see cref="ControlHandler"/> with a real <see cref="ServiceTable"/>,
/// IPVS's default timeouts, no workers, an empty persistence template table and a rate estimator
/// whose periods the test runs by hand. Dispose stops the server and deletes the directory.
///
/// The server and every blocking client call run on the thread pool (<see cref="Off{T}"/>): the
/// client is synchronous over async Pipelines, as userlvs-adm is, and must not block a test
/// framework's synchronisation context that the server's continuations would need.
/// </summary>
internal sealed class ControlSocket : IDisposable
{
    private readonly string _directory;

    public ControlSocket(string socketName = "userlvsd.sock")
    {
        _directory = System.IO.Directory.CreateTempSubdirectory("userlvs-control-").FullName;
        Path = System.IO.Path.Combine(_directory, socketName);
        Table = new ServiceTable();
        Timeouts = new IpvsTimeouts();
        Rates = new RateEstimator(() => Table.Current, start: false);
        Handler = new ControlHandler(Table, Timeouts, () => Array.Empty<NatWorker>(), new PersistenceTemplateTable(16), Rates, Status);
        Server = Start(Path, Handler, Log);
    }

    public string Directory => _directory;

    public string Path { get; }

    public ServiceTable Table { get; }

    public IpvsTimeouts Timeouts { get; }

    public RateEstimator Rates { get; }

    /// <summary>What GetStatus reads; a test plugs failover and health sources into it.</summary>
    public UserLvs.Daemon.Status.StatusBoard Status { get; } = new(TimeProvider.System);

    public ControlHandler Handler { get; }

    public RecordingLogger Log { get; } = new();

    public ControlServer? Server { get; private set; }

    public static ControlServer Start(string path, IIpvsControl handler, RecordingLogger log) =>
        Off(() => new ControlServer(path, handler, log));

    /// <summary>A new userlvs-adm-style connection; the caller disposes it.</summary>
    public ControlClient Connect() => Off(() => new ControlClient(Path));

    /// <summary>Runs a blocking call on the thread pool and waits for it (bounded by the client's own 10 s timeout).</summary>
    public static T Off<T>(Func<T> call) => Task.Run(call).GetAwaiter().GetResult();

    public static void Off(Action call) => Task.Run(call).GetAwaiter().GetResult();

    public static void Off(Func<Task> call) => Task.Run(call).GetAwaiter().GetResult();

    /// <summary>Stops the server as the daemon does at exit.</summary>
    public void StopServer()
    {
        if (Server is { } server) Off(() => server.DisposeAsync().AsTask());
        Server = null;
    }

    public void Dispose()
    {
        StopServer();
        Rates.Dispose();
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
