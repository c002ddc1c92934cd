using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>
/// Logs of an in-process backend in the test's output (Information and above, the first
/// <see cref="MaxLines"/> lines, with the time since the test began), so that a failure shows what the
/// backend saw: members down, distributors found dead, grace periods, Redis connection changes.
/// </summary>
internal sealed class OutputLog(ITestOutputHelper output, string name) : ILoggerFactory, ILoggerProvider
{
    private const int MaxLines = 300;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose() => Interlocked.Exchange(ref _lines, MaxLines);

    private void Write(string category, LogLevel level, EventId id, string message, Exception? exception)
    {
        if (Interlocked.Increment(ref _lines) > MaxLines)
        {
            return;
        }

        try
        {
            output.WriteLine($"[{name} {_clock.ElapsedMilliseconds,6} ms {level} {category}[{id.Id}]] {message}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The test is over.
        }
    }

    private sealed class Logger(OutputLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(category, logLevel, eventId, formatter(state, exception), exception);
            }
        }
    }
}
