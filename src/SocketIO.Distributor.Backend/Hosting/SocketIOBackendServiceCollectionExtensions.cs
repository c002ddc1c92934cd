using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Backend.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a Socket.IO backend in a host.</summary>
public static class SocketIOBackendServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="SocketIOBackend"/> singleton, configured by <paramref name="configure"/>
    /// and set up (namespaces, middleware, handlers) by <paramref name="setup"/>, plus a hosted service
    /// that starts it with the host and stops it when the host stops.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="setup">Adds namespaces and handlers.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddSocketIOBackend(this IServiceCollection services, Action<BackendOptions> configure, Action<SocketIOBackend> setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return services.AddSocketIOBackend(configure, (_, backend) => setup(backend));
    }

    /// <summary>
    /// Registers a <see cref="SocketIOBackend"/> like <see cref="AddSocketIOBackend(IServiceCollection, Action{BackendOptions}, Action{SocketIOBackend})"/>,
    /// with the service provider passed to <paramref name="setup"/> so handlers can use other services.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="setup">Adds namespaces and handlers.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddSocketIOBackend(this IServiceCollection services, Action<BackendOptions> configure, Action<IServiceProvider, SocketIOBackend> setup)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(setup);
        services.AddOptions<BackendOptions>().Configure(configure);
        services.AddSingleton(provider =>
        {
            var backend = new SocketIOBackend(
                provider.GetRequiredService<IOptions<BackendOptions>>().Value,
                provider.GetService<ILoggerFactory>(),
                provider.GetService<TimeProvider>());
            setup(provider, backend);
            return backend;
        });
        services.AddHostedService<BackendHostedService>();
        return services;
    }
}
