using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Distribution;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>An in-memory logger provider: every entry at <see cref="LogLevel.Information"/> or above, kept for assertions.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    /// <summary>What was logged, in order.</summary>
    public ConcurrentQueue<(LogLevel Level, string Category, int EventId, string Message)> Entries { get; } = new();

    /// <summary>Whether an entry's message contains every one of <paramref name="parts"/>.</summary>
    public bool Contains(params string[] parts) =>
        Entries.Any(e => parts.All(p => e.Message.Contains(p, StringComparison.Ordinal)));

    /// <summary>The messages, one per line, for failure messages.</summary>
    public string Dump() => string.Join('\n', Entries.Select(e => $"{e.Level} {e.Category}[{e.EventId}] {e.Message}"));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Entries.Enqueue((logLevel, category, eventId.Id, formatter(state, exception)));
            }
        }
    }
}

/// <summary>Distributors whose logs a test can read (<see cref="TestCluster.StartDistributorAsync"/> has no logging hook).</summary>
internal static class LoggedDistributor
{
    /// <summary>
    /// Starts a distributor of <paramref name="cluster"/> like <see cref="TestCluster.StartDistributorAsync"/>, with
    /// its logs (Information and above) captured in <paramref name="logs"/>. The caller disposes it.
    /// </summary>
    public static async Task<DistributorHost> StartAsync(
        TestCluster cluster, string[] namespaces, LogCapture logs, Action<DistributorOptions>? configure = null)
    {
        var host = await RunningHost.StartAsync(args =>
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddProvider(logs);
            builder.Services.AddSocketIODistributor(options =>
            {
                cluster.ConfigureBus(options.Bus);
                options.Namespaces = namespaces;
                options.StatsInterval = TimeSpan.Zero;
                options.DrainWindow = TimeSpan.Zero;
                configure?.Invoke(options);
            });
            var app = builder.Build();
            app.MapSocketIO();
            return app;
        });
        return new DistributorHost(host, host.Services.GetRequiredService<SocketIODistributor>());
    }
}
