using System.Net;

namespace SocketIO.Distributor.Tests.Wire.EngineIO;

/// <summary>engine.io-protocol test suite, "handshake": opening a session on each transport.</summary>
[Collection(WireCollection.Name)]
public sealed class HandshakeTests
{
    [Fact]
    public async Task Polling_handshake_opens_a_session_with_the_configured_values()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.GetAsync("EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("0", response.Body, StringComparison.Ordinal);
        var open = OpenPacket.Parse(response.Body[1..]);
        Assert.Equal(["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"], open.Keys);
        Assert.False(string.IsNullOrEmpty(open.Sid));
        Assert.Equal(["websocket"], open.Upgrades);
        Assert.Equal(300, open.PingInterval);
        Assert.Equal(200, open.PingTimeout);
        Assert.Equal(1_000_000, open.MaxPayload);
    }

    [Fact]
    public async Task Polling_handshake_gives_every_session_its_own_sid()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var first = await client.HandshakeAsync();
        var second = await client.HandshakeAsync();

        Assert.NotEqual(first.Sid, second.Sid);
    }

    [Theory]
    [InlineData("transport=polling")]
    [InlineData("EIO=abc&transport=polling")]
    public async Task Polling_handshake_fails_with_an_invalid_EIO_parameter(string query)
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.GetAsync(query);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Theory]
    [InlineData("EIO=4")]
    [InlineData("EIO=4&transport=abc")]
    public async Task Polling_handshake_fails_with_an_invalid_transport_parameter(string query)
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.GetAsync(query);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task Polling_handshake_fails_with_an_invalid_request_method(string method)
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.SendAsync(new HttpMethod(method), "EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact]
    public async Task WebSocket_handshake_opens_a_session_without_upgrades()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"));

        var text = await socket.ReceiveTextAsync();

        Assert.StartsWith("0", text, StringComparison.Ordinal);
        var open = OpenPacket.Parse(text[1..]);
        Assert.Equal(["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"], open.Keys);
        Assert.False(string.IsNullOrEmpty(open.Sid));
        Assert.Empty(open.Upgrades);
        Assert.Equal(300, open.PingInterval);
        Assert.Equal(200, open.PingTimeout);
        Assert.Equal(1_000_000, open.MaxPayload);
    }

    [Theory]
    [InlineData("transport=websocket")]
    [InlineData("EIO=abc&transport=websocket")]
    [InlineData("EIO=4")]
    [InlineData("EIO=4&transport=abc")]
    public async Task WebSocket_handshake_fails_with_an_invalid_EIO_or_transport_parameter(string query)
    {
        await using var server = await WireServer.StartEngineIOAsync();

        var status = await WireWebSocket.AssertRefusedAsync(server.WebSocketUri(query));

        Assert.True(status is null or HttpStatusCode.BadRequest, $"Expected 400 or a closed socket, got {status}.");
    }
}
