using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster;

/// <summary>
/// The warnings and errors a <see cref="TestCluster"/>'s members logged, kept in memory so that a failing
/// test can say what the servers saw (CI prints only the end of its output; a failure message carries
/// this). The last <see cref="Capacity"/> entries are kept.
/// </summary>
public sealed class WarningLog : ILoggerProvider
{
    private const int Capacity = 200;

    private readonly ConcurrentQueue<string> _entries = new();
    private readonly long _started = TimeProvider.System.GetTimestamp();

    /// <summary>The entries as lines, for a failure message.</summary>
    public override string ToString() => _entries.IsEmpty ? "(no warnings logged)" : string.Join('\n', _entries);

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Nothing to release: the host that adds this provider disposes it at its stop, and the log outlives it.</summary>
    public void Dispose()
    {
    }

    private void Add(string entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(WarningLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var at = TimeProvider.System.GetElapsedTime(log._started).TotalSeconds;
            var name = category[(category.LastIndexOf('.') + 1)..];
            log.Add($"{at,7:0.000}s {logLevel} {name}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})")}");
        }
    }
}
