using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SocketIO.Distributor.Backend.Hosting;

/// <summary>
/// The readiness of a <see cref="SocketIOBackend"/> as an ASP.NET Core / Microsoft.Extensions health
/// check: healthy while <see cref="SocketIOBackend.IsReady"/>, unhealthy with the reason otherwise.
/// Register it with <c>services.AddHealthChecks().AddSocketIOBackend()</c>.
/// </summary>
/// <param name="backend">The backend.</param>
public sealed class SocketIOBackendHealthCheck(SocketIOBackend backend) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return Task.FromResult(backend.NotReadyReason is { } reason
            ? HealthCheckResult.Unhealthy($"Backend {backend.Id} is not ready: {reason}")
            : HealthCheckResult.Healthy($"Backend {backend.Id} is ready ({backend.Namespaces.Count} namespace(s))"));
    }
}
