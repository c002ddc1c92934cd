using SocketIO.Distributor.Backend.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the backend's readiness to a host's health checks.</summary>
public static class SocketIOBackendHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that is healthy while the <see cref="SocketIO.Distributor.Backend.SocketIOBackend"/>
    /// registered with <c>AddSocketIOBackend</c> is ready: started, Redis reachable, registered in the
    /// cluster, not stopping. Serve it as a readiness endpoint (for example <c>app.MapHealthChecks("/readyz")</c>
    /// in a web host), or poll it with <c>HealthCheckService</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <c>socketio-backend</c>.</param>
    /// <param name="tags">Tags to filter on (for example <c>"ready"</c>).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddSocketIOBackend(this IHealthChecksBuilder builder, string name = "socketio-backend", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<SocketIOBackendHealthCheck>(name, tags: tags ?? ["ready"]);
    }
}
