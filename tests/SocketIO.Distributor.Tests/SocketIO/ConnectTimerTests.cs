using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SocketIO.Distributor.SocketIO;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.SocketIO;

/// <summary>
/// The connect timeout's timer lives only until the first namespace connect: a connected (idle) client
/// holds no timer for it, and one that never connects is still closed when it runs out.
/// </summary>
public sealed class ConnectTimerTests
{
    /// <summary>A value no other timer of the server uses, so the test can tell the connect timer apart.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(41.5);

    [Fact]
    public async Task The_connect_timer_is_disposed_when_the_client_connects_a_namespace()
    {
        var time = new TimerFireCounter();
        await using var host = await StartAsync(time);
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        var sid = await HandshakeAsync(http);
        await Eventually.TrueAsync(() => time.CreatedWith(ConnectTimeout) == 1, "the handshake armed the connect timer");
        Assert.Equal(0, time.DisposedOf(ConnectTimeout));

        var push = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent("40"));
        push.EnsureSuccessStatusCode();
        var poll = await http.GetStringAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");

        Assert.StartsWith("40{\"sid\":", poll, StringComparison.Ordinal);
        Assert.Equal(1, time.CreatedWith(ConnectTimeout));
        Assert.Equal(1, time.DisposedOf(ConnectTimeout));
    }

    [Fact]
    public async Task A_client_that_connects_no_namespace_keeps_its_connect_timer_until_it_leaves()
    {
        var time = new TimerFireCounter();
        await using var host = await StartAsync(time);
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        var sid = await HandshakeAsync(http);
        await Eventually.TrueAsync(() => time.CreatedWith(ConnectTimeout) == 1, "the handshake armed the connect timer");
        Assert.Equal(0, time.DisposedOf(ConnectTimeout));

        // The client leaves (engine.io close packet): the timer goes with it.
        var close = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent("1"));
        close.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => time.DisposedOf(ConnectTimeout) == 1, "closing the connection disposes its connect timer");
    }

    private static async Task<RunningHost> StartAsync(TimeProvider time) =>
        await RunningHost.StartAsync(args =>
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddSingleton(time);
            builder.Services.AddSocketIOServer(o => o.ConnectTimeout = ConnectTimeout);
            var app = builder.Build();
            app.MapSocketIO(server => server.AddNamespace("/", new AcceptingNamespace()));
            return app;
        });

    private static async Task<string> HandshakeAsync(HttpClient http)
    {
        var open = await http.GetStringAsync("/socket.io/?EIO=4&transport=polling");
        return System.Text.Json.JsonDocument.Parse(open[1..]).RootElement.GetProperty("sid").GetString()!;
    }

    private sealed class AcceptingNamespace : INamespaceHandler
    {
        public ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ConnectDecision.Accept);

        public void OnConnected(ClientSocket socket)
        {
        }

        public void OnMessage(ClientSocket socket, InboundMessage message)
        {
        }

        public void OnDisconnect(ClientSocket socket, string reason)
        {
        }
    }
}
