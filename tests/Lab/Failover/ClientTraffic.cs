using System.Diagnostics;
using UserLvs.Lab.Tests.Infrastructure;

namespace UserLvs.Lab.Tests.Failover;

/// <summary>
/// What a client of a router pair runs while a router fails: lab/outage.py (a new UDP connection to the
/// VIP's echo service every millisecond; reports the longest stretch without answers), and a long HTTP
/// download through the VIP hashed as it streams. Both run in the client namespace as processes of
/// their own, each bounded by its own time limit.
/// </summary>
internal sealed class ClientTraffic : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _errors;

    private ClientTraffic(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Outage probes for <paramref name="seconds"/>; <see cref="OutageMilliseconds"/> reads the result.</summary>
    public static ClientTraffic Probes(RouterPairLab lab, double seconds) =>
        Start(lab, "/usr/bin/python3", Path.Combine(LabPaths.RepositoryRoot, "lab", "outage.py"), $"{RouterPairLab.Vip}:5353",
            "--interval-ms", "1", "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A rate-limited download of <paramref name="megabytes"/> MiB; <see cref="Sha256"/> reads its hash.</summary>
    public static ClientTraffic Download(RouterPairLab lab, int megabytes, string rate = "2M") =>
        Start(lab, "/bin/sh", "-c",
            $"curl -sS --connect-timeout 3 -m 60 --limit-rate {rate} 'http://{RouterPairLab.Vip}/big?mb={megabytes}' | sha256sum");

    private static ClientTraffic Start(RouterPairLab lab, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", lab.ClientNamespace }.Concat(command)) start.ArgumentList.Add(argument);
        return new ClientTraffic(Process.Start(start) ?? throw new InvalidOperationException("cannot start the client"));
    }

    /// <summary>Waits (bounded) for the end and returns what the client printed.</summary>
    public string Finish(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the client did not finish within {limit.TotalSeconds} s");
        }
        _process.WaitForExit();
        return _output.Result.Trim() + (_errors.Result.Length > 0 ? "\n" + _errors.Result.Trim() : "");
    }

    /// <summary>outage.py's longest stretch of unanswered new connections, and how many were answered at all.</summary>
    public (double OutageMilliseconds, int Answered) Outage(TimeSpan limit)
    {
        string line = Finish(limit);
        var fields = line.Split(' ', '\n').Select(f => f.Split('=')).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
        Assert.True(fields.ContainsKey("outage_ms"), $"outage.py printed: {line}");
        return (double.Parse(fields["outage_ms"], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields["answered"]));
    }

    /// <summary>The download's sha256, as sha256sum printed it.</summary>
    public string Sha256(TimeSpan limit) => Finish(limit).Split(' ')[0];

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
