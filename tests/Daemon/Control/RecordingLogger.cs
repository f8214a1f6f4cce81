using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace UserLvs.Daemon.Tests.Control;

/// <summary>
/// An <see cref="ILogger"/> that keeps every formatted message. The control server logs when it drops
/// a client, so a test can wait (bounded) for that line to know the server has finished with a
/// connection before it looks at the table.
/// </summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add($"{logLevel}: {formatter(state, exception)}");
    }

    /// <summary>Waits up to <paramref name="limit"/> for a line containing <paramref name="text"/>; returns it, or null.</summary>
    public string? WaitFor(string text, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            foreach (var line in Lines)
                if (line.Contains(text, StringComparison.Ordinal)) return line;
            Thread.Sleep(10);
        }
        while (clock.Elapsed < limit);
        return null;
    }
}
