using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SocketIO.Distributor.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the distributor's health endpoints for orchestrators and load balancers.</summary>
public static class HealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <paramref name="livenessPath"/> (200 while the process answers HTTP: restart it when this
    /// fails) and <paramref name="readinessPath"/> (200 while the distributor should get new clients:
    /// Redis reachable, registered in the cluster, not draining; 503 otherwise, so a balancer sends
    /// clients elsewhere). Needs <c>AddSocketIODistributor</c>, which registers the readiness check.
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="livenessPath">The liveness path. Default <c>/healthz</c>.</param>
    /// <param name="readinessPath">The readiness path. Default <c>/readyz</c>.</param>
    /// <returns>The endpoints, for chaining.</returns>
    public static IEndpointRouteBuilder MapSocketIOHealthChecks(this IEndpointRouteBuilder endpoints, string livenessPath = "/healthz", string readinessPath = "/readyz")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks(livenessPath, new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks(readinessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(DistributorHealthCheck.ReadyTag),
            ResponseWriter = WriteDescriptionAsync,
        });
        return endpoints;
    }

    /// <summary>Writes the status and, when not ready, why (for example <c>Unhealthy: ... draining</c>).</summary>
    private static Task WriteDescriptionAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var reasons = report.Entries.Values.Select(e => e.Description).Where(d => !string.IsNullOrEmpty(d));
        return context.Response.WriteAsync($"{report.Status}: {string.Join("; ", reasons)}");
    }
}
