using System.Collections.Concurrent;
using System.Net;
using UserLvs.Health.Checks;
using UserLvs.Scheduling;

namespace UserLvs.Health.Tests.Monitoring;

/// <summary>
/// Checks whose verdict the test sets per real server ("10.0.0.11:80" up or failing with a reason),
/// completing at once so monitors on a FakeTimeProvider run synchronously inside Advance. Counts
/// every check and every check it built, and remembers the settings each was built with.
/// </summary>
internal sealed class ScriptedChecks : ICheckFactory
{
    private readonly ConcurrentDictionary<string, string?> _failing = new();
    private readonly ConcurrentDictionary<string, int> _checks = new();

    public List<(ushort Port, ServiceCheckSettings Settings)> Built { get; } = [];

    public void Fail(string server, string reason = "connection refused") => _failing[server] = reason;

    public void Pass(string server) => _failing.TryRemove(server, out _);

    public int ChecksOf(string server) => _checks.GetValueOrDefault(server);

    public IHealthCheck Create(ServiceCheckSettings settings, Protocol protocol, ushort virtualPort)
    {
        lock (Built) Built.Add((virtualPort, settings));
        return new Check(this);
    }

    public IHealthCheck Single() => new Check(this);

    private sealed class Check(ScriptedChecks owner) : IHealthCheck
    {
        public ValueTask<CheckResult> CheckAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
        {
            string key = server.ToString();
            owner._checks.AddOrUpdate(key, 1, (_, n) => n + 1);
            return ValueTask.FromResult(owner._failing.TryGetValue(key, out var reason) && reason is not null
                ? CheckResult.Fail(reason)
                : CheckResult.Pass);
        }
    }
}
