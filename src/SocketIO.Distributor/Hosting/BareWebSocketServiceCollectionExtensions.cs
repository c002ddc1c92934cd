using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SocketIO.Distributor.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Installs the bare WebSocket path (<c>EngineOptions.BareWebSockets</c>) on Kestrel's endpoints.</summary>
public static class BareWebSocketServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Kestrel connection middleware of the bare WebSocket path to every endpoint (as an endpoint
    /// default: it applies to endpoints from <c>--urls</c>/<c>UseUrls</c>, configuration, and <c>Listen</c> calls made
    /// after it). <c>AddSocketIOServer</c> and <c>AddSocketIODistributor</c> call it; call it yourself for an
    /// <c>EngineServer</c> mapped with <c>MapEngineIO</c>. It does nothing until a server with
    /// <c>BareWebSockets</c> on is mapped. An app that sets its own <c>ConfigureEndpointDefaults</c> replaces it
    /// (its WebSockets then take the HTTP path). Calling it more than once adds it once.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddEngineIOBareWebSockets(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(service => service.ServiceType == typeof(BareWebSocketConnections)))
        {
            return services;
        }

        services.AddSingleton<BareWebSocketConnections>();

        // Kestrel's transport for TCP endpoints: bare handshakes are served on the socket itself (no Kestrel
        // connection state), every other connection goes to Kestrel unchanged. Registered last, it is tried first.
        services.AddSingleton<IConnectionListenerFactory, BareSocketTransportFactory>();

        // First among Kestrel's configurations, so Listen calls in ConfigureKestrel get it too.
        services.Insert(0, ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, KestrelSetup>());
        return services;
    }

    private sealed class KestrelSetup(BareWebSocketConnections connections) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions options) =>
            options.ConfigureEndpointDefaults(listen => listen.Use(connections.Wrap));
    }
}
