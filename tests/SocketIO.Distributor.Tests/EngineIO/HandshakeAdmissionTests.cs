using System.Collections.Concurrent;
using System.Net;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Tests.Wire;

namespace SocketIO.Distributor.Tests.EngineIO;

/// <summary>
/// The gate in front of a new session: <see cref="EngineOptions.AllowRequest"/> (socket.io's
/// <c>allowRequest</c>) and the origin check, each refusing with HTTP 403 as engine.io does.
/// </summary>
public sealed class HandshakeAdmissionTests
{
    [Fact]
    public async Task AllowRequest_sees_headers_query_and_address_and_its_refusal_is_a_403_with_its_message()
    {
        var seen = new ConcurrentQueue<EngineHandshake>();
        await using var server = await WireServer.StartLocalEngineIOAsync(o => o.AllowRequestWhen(h =>
        {
            seen.Enqueue(h);
            return h.Query.GetValueOrDefault("token") == "letmein" ? HandshakeDecision.Allow : HandshakeDecision.Refuse("bad \"token\"");
        }));
        using var client = new EngineIOWireClient(server);

        var refused = await client.SendAsync(HttpMethod.Get, "EIO=4&transport=polling&token=nope", configure: r => r.Headers.Add("X-Tenant", "acme"));
        var allowed = await client.GetAsync("EIO=4&transport=polling&token=letmein");

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal((4, "bad \"token\""), refused.Error());
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.StartsWith("0{\"sid\"", allowed.Body, StringComparison.Ordinal);
        var first = Assert.IsType<EngineHandshake>(seen.First());
        Assert.Equal("nope", first.Query["token"]);
        Assert.Equal("acme", first.Headers["x-tenant"]);
        Assert.True(first.RemoteAddress is { } address && IPAddress.IsLoopback(address), $"remote address {first.RemoteAddress}");
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task An_async_refusal_without_a_message_is_engine_io_s_Forbidden_for_polling_and_websocket()
    {
        await using var server = await WireServer.StartLocalEngineIOAsync(o => o.AllowRequest = async h =>
        {
            await Task.Yield();
            return HandshakeDecision.Refuse();
        });
        using var client = new EngineIOWireClient(server);

        var polling = await client.GetAsync("EIO=4&transport=polling");
        var websocket = await WireWebSocket.AssertRefusedAsync(server.WebSocketUri("EIO=4&transport=websocket"));

        Assert.Equal(HttpStatusCode.Forbidden, polling.Status);
        Assert.Equal((4, "Forbidden"), polling.Error());
        Assert.Equal(HttpStatusCode.Forbidden, websocket);
    }

    [Fact]
    public async Task A_throwing_AllowRequest_refuses_that_handshake_only()
    {
        var calls = 0;
        await using var server = await WireServer.StartLocalEngineIOAsync(o => o.AllowRequestWhen(_ =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("hook bug") : HandshakeDecision.Allow));
        using var client = new EngineIOWireClient(server);

        var first = await client.GetAsync("EIO=4&transport=polling");
        var second = await client.GetAsync("EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.Forbidden, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
    }

    [Fact]
    public async Task An_origin_not_listed_is_refused_with_403_and_a_listed_one_gets_cors_headers()
    {
        await using var server = await WireServer.StartLocalEngineIOAsync(o =>
        {
            o.AllowedOrigins.Clear();
            o.AllowedOrigins.Add("http://good.example");
        });
        using var client = new EngineIOWireClient(server);

        var evil = await client.SendAsync(HttpMethod.Get, "EIO=4&transport=polling", configure: r => r.Headers.Add("Origin", "http://evil.example"));
        var evilSocket = await WireWebSocket.AssertRefusedAsync(server.WebSocketUri("EIO=4&transport=websocket"), "http://evil.example");
        var good = await client.SendAsync(HttpMethod.Get, "EIO=4&transport=polling", configure: r => r.Headers.Add("Origin", "http://good.example"));
        var noOrigin = await client.GetAsync("EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.Forbidden, evil.Status);
        Assert.Equal((4, "Forbidden"), evil.Error());
        Assert.Equal(HttpStatusCode.Forbidden, evilSocket);
        Assert.Equal(HttpStatusCode.OK, good.Status);
        Assert.Equal("http://good.example", Assert.Single(good.Message.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal(HttpStatusCode.OK, noOrigin.Status);
    }

    [Fact]
    public async Task With_no_allowed_origins_the_default_every_origin_is_served_without_cors_headers()
    {
        await using var server = await WireServer.StartLocalEngineIOAsync(o => o.AllowedOrigins.Clear());
        using var client = new EngineIOWireClient(server);

        var response = await client.SendAsync(HttpMethod.Get, "EIO=4&transport=polling", configure: r => r.Headers.Add("Origin", "http://anywhere.example"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.False(response.Message.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
