using System.Net;

namespace SocketIO.Distributor.Tests.Wire.EngineIO;

/// <summary>
/// engine.io-protocol test suite, "heartbeat": in v4 the server pings every pingInterval (300 ms) and
/// closes the session when no pong arrives within pingTimeout (200 ms). The tests wait for those events
/// with generous timeouts and never assert on elapsed time.
/// </summary>
[Collection(WireCollection.Name)]
public sealed class HeartbeatTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Polling_session_sends_pings_and_accepts_pongs()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();

        for (var i = 0; i < 3; i++)
        {
            var poll = await client.PollAsync(open.Sid);
            Assert.Equal(HttpStatusCode.OK, poll.Status);
            Assert.Equal("2", poll.Body);

            await client.PushOkAsync(open.Sid, "3");
        }
    }

    [Fact]
    public async Task Polling_session_is_closed_upon_ping_timeout()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();

        // Poll without ever answering the ping. The server hands out the ping ("2"), then may answer the
        // poll pending when it gives up with a close ("1") or noop ("6"); after that the sid is refused.
        var deadline = DateTime.UtcNow + Generous;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "The session was not closed despite the unanswered ping.");
            var poll = await client.PollAsync(open.Sid);
            if (poll.Status == HttpStatusCode.BadRequest)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.OK, poll.Status);
            Assert.All(poll.Body.Split(EngineIOWireClient.RecordSeparator), p => Assert.Contains(p, new[] { "2", "1", "6" }));
        }
    }

    [Fact]
    public async Task WebSocket_session_sends_pings_and_accepts_pongs()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"), autoPong: false);
        await socket.ReceiveTextAsync(); // handshake

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("2", await socket.ReceiveTextAsync());
            await socket.SendTextAsync("3");
        }

        // Three answered pings took longer than pingInterval + pingTimeout: the session is still up.
        await socket.SendTextAsync("4still-open");
        Assert.Equal("4still-open", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WebSocket_session_is_closed_upon_ping_timeout()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"), autoPong: false);
        await socket.ReceiveTextAsync(); // handshake

        Assert.Equal("2", await socket.ReceiveTextAsync());

        await socket.WaitForCloseAsync(Generous);
    }

    [Fact]
    public async Task Client_ping_is_a_protocol_error_in_v4()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"));
        await socket.ReceiveTextAsync(); // handshake

        // In v4 only the server pings; the reference closes the session on a ping from the client
        // ("invalid heartbeat direction"). The protocol text only says the server sends the pings.
        await socket.SendTextAsync("2");

        await socket.WaitForCloseAsync();
    }
}
