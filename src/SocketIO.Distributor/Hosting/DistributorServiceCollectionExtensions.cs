using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Distribution;
using SocketIO.Distributor.Hosting;
using SocketIO.Distributor.SocketIO;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a distributor in an ASP.NET Core app; serve it with <c>app.MapSocketIO()</c>.</summary>
public static class DistributorServiceCollectionExtensions
{
    /// <summary>
    /// Adds a distributor configured from <paramref name="configuration"/> (for example the section
    /// <c>SocketIO:Distributor</c>) and then <paramref name="configure"/>. It connects to Redis when the
    /// app starts, before requests are served; invalid options or an unreachable Redis fail the start
    /// with a message saying what to fix.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section to bind, or null.</param>
    /// <param name="configure">Sets options in code, or null.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddSocketIODistributor(this IServiceCollection services, IConfiguration? configuration, Action<DistributorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddEngineIOBareWebSockets();
        services.AddSingleton(_ =>
        {
            var options = new DistributorOptions();
            configuration?.Bind(options);
            configure?.Invoke(options);
            return options;
        });
        services.AddSingleton(provider => new SocketIOServer(
            provider.GetRequiredService<DistributorOptions>().Server,
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(provider => new SocketIODistributor(
            provider.GetRequiredService<DistributorOptions>(),
            provider.GetRequiredService<SocketIOServer>(),
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetRequiredService<ILoggerFactory>()));

        // Readiness for /readyz (MapSocketIOHealthChecks): Redis reachable, registered, not draining.
        services.AddHealthChecks().AddCheck<DistributorHealthCheck>("socketio-distributor", tags: [DistributorHealthCheck.ReadyTag]);

        // First in line, so the distributor is connected before the web server takes requests.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DistributorHostedService>());
        return services;
    }

    /// <summary>Adds a distributor configured in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddSocketIODistributor(this IServiceCollection services, Action<DistributorOptions> configure) =>
        services.AddSocketIODistributor(configuration: null, configure);

    private sealed class DistributorHostedService(SocketIODistributor distributor, DistributorOptions options, ILoggerFactory loggers, TimeProvider? time = null) : IHostedService
    {
        private QuietMemoryTrim? _trim;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await distributor.StartAsync(cancellationToken);
            _trim = QuietMemoryTrim.StartIf(options.TrimMemoryWhenQuiet, time, loggers);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            _trim?.Dispose();

            // The host's stopping already started the drain (MapSocketIO); wait for it, within the shutdown timeout.
            try
            {
                await distributor.DrainAsync().WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Out of time: StopAsync closes what is left at once.
            }

            await distributor.StopAsync();
        }
    }
}
