using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>The backend's readiness check, as an orchestrator polls it, against a real redis-server that is killed and restarted.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task The_check_follows_start_a_Redis_outage_and_stop()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var bus = BackendHarness.NewBusOptions("health");
        bus.Redis = redis.ConnectionString;
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSocketIOBackend(o => o.Bus = bus, b => b.Of("/health"));
        builder.Services.AddHealthChecks().AddSocketIOBackend();
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var backend = host.Services.GetRequiredService<SocketIOBackend>();

        var before = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("not started", before.Entries["socketio-backend"].Description, StringComparison.Ordinal);

        await host.StartAsync();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        Assert.True(backend.IsReady);

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !backend.IsReady, "the backend is not ready while Redis is down");
        var down = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("Redis is not reachable", down.Entries["socketio-backend"].Description, StringComparison.Ordinal);

        await redis.RestartAsync();
        await Eventually.TrueAsync(() => backend.IsReady, "the backend is ready again once Redis is back and it registered again");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        await host.StopAsync();
        var stopped = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.Contains("stopping", stopped.Entries["socketio-backend"].Description, StringComparison.Ordinal);
    }
}
