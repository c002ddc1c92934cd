using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class HostingTests
{
    [Fact]
    public async Task AddSocketIOBackend_starts_and_stops_the_backend_with_the_host()
    {
        var bus = BackendHarness.NewBusOptions("hosting");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSocketIOBackend(
            o =>
            {
                o.Bus = bus;
                o.BackendId = "hosted";
            },
            b => b.Of("/hosted"));

        using var host = builder.Build();
        await host.StartAsync();
        var backend = host.Services.GetRequiredService<SocketIOBackend>();
        Assert.True(backend.IsRunning);
        Assert.Equal("hosted", backend.Id);
        Assert.Contains(backend.Namespaces, n => n.Name == "/hosted");
        await using (var d = new FakeDistributor(bus, "d1", "/hosted"))
        {
            await d.StartAsync();
            d.Connect("hosted", "s1", "/hosted");
            Assert.True((await d.NextAsync<ConnectResult>()).Accepted);
        }

        await host.StopAsync();
        Assert.False(backend.IsRunning);
    }
}
