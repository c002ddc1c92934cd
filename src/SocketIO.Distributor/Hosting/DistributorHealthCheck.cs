using Microsoft.Extensions.Diagnostics.HealthChecks;
using SocketIO.Distributor.Distribution;

namespace SocketIO.Distributor.Hosting;

/// <summary>The readiness of the distributor (<c>/readyz</c>): Redis reachable, registered in the cluster, not draining.</summary>
internal sealed class DistributorHealthCheck(SocketIODistributor distributor) : IHealthCheck
{
    /// <summary>The tag of readiness checks, which <c>/readyz</c> runs (and <c>/healthz</c> does not).</summary>
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(distributor.NotReadyReason is { } reason
            ? HealthCheckResult.Unhealthy($"Distributor {distributor.Id} is not ready: {reason}")
            : HealthCheckResult.Healthy($"Distributor {distributor.Id} is ready"));
}
