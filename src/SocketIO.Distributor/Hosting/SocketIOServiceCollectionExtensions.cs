using Microsoft.Extensions.Logging;
using SocketIO.Distributor.SocketIO;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="SocketIOServer"/> in a service collection.</summary>
public static class SocketIOServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="SocketIOServer"/> configured by <paramref name="configure"/>. Invalid
    /// options fail when the server is first resolved, with a message saying what to fix.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddSocketIOServer(this IServiceCollection services, Action<SocketIOOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddEngineIOBareWebSockets();
        services.AddSingleton(provider =>
        {
            var options = new SocketIOOptions();
            configure?.Invoke(options);
            return new SocketIOServer(
                options,
                provider.GetService<TimeProvider>() ?? TimeProvider.System,
                provider.GetRequiredService<ILoggerFactory>(),
                provider.GetService<System.Diagnostics.Metrics.IMeterFactory>());
        });
        return services;
    }
}
