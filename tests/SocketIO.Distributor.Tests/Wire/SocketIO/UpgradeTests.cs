using System.Net;

namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>
/// socket.io-protocol test suite, "Engine.IO protocol / upgrade", against the Socket.IO echo host (a
/// distributor), step for step: EIO=3 as that suite, <c>2probe</c> and <c>5</c> sent back to back.
/// </summary>
[Collection(WireCollection.Name)]
public sealed class UpgradeTests
{
    [Fact]
    public async Task Should_ignore_http_requests_with_same_sid_after_upgrade()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var (open, _) = await client.HandshakeV3Async();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri(EngineIOWireClient.Query(3, "websocket", open.Sid)));
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");

        var poll = await client.PollAsync(open.Sid, eio: 3);

        Assert.Equal(HttpStatusCode.BadRequest, poll.Status);
    }

    [Fact]
    public async Task Should_ignore_websocket_connection_with_same_sid_after_upgrade()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var (open, _) = await client.HandshakeV3Async();
        var uri = server.WebSocketUri(EngineIOWireClient.Query(3, "websocket", open.Sid));
        await using var socket = await WireWebSocket.ConnectAsync(uri);
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");

        // Opened (an HTTP error would be reported as an error by the suite's client), then closed by the server.
        await using var second = await WireWebSocket.ConnectAsync(uri, autoPong: false);
        await second.WaitForCloseAsync();
    }
}
