using System.Net;

namespace SocketIO.Distributor.Tests.Wire.EngineIO;

/// <summary>engine.io-protocol test suite, "close": the client's close packet (<c>1</c>) ends the session.</summary>
[Collection(WireCollection.Name)]
public sealed class CloseTests
{
    [Fact]
    public async Task Polling_close_packet_ends_the_pending_poll_with_a_noop_and_the_session()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();

        WireResponse poll;
        do
        {
            var pending = client.PollAsync(open.Sid);

            // Only orders the two requests (the GET must be pending when the close arrives); nothing
            // is asserted on time. If a ping overtakes the close, answer it and try again.
            await Task.Delay(100);
            await client.PushOkAsync(open.Sid, "1");
            poll = await pending;
            if (poll.Body == "2")
            {
                await client.PushOkAsync(open.Sid, "3");
            }
        }
        while (poll.Body == "2");

        Assert.Equal(HttpStatusCode.OK, poll.Status);
        Assert.Equal("6", poll.Body);

        var after = await client.PollAsync(open.Sid);
        Assert.Equal(HttpStatusCode.BadRequest, after.Status);
    }

    [Fact]
    public async Task Polling_close_packet_without_a_pending_poll_ends_the_session()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();

        await client.PushOkAsync(open.Sid, "1");

        // A poll that still reaches the closing session may get the noop; the session then is gone.
        var poll = await client.PollAsync(open.Sid);
        if (poll.Status == HttpStatusCode.OK)
        {
            Assert.Equal("6", poll.Body);
            poll = await client.PollAsync(open.Sid);
        }

        Assert.Equal(HttpStatusCode.BadRequest, poll.Status);
    }

    [Fact]
    public async Task WebSocket_close_packet_closes_the_connection()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        // As in the reference suite, pings are left unanswered: the Node reference (engine.io 6) ignores a
        // close packet on a WebSocket and ends the session only through the ping timeout, while the
        // protocol text says the close packet closes the transport. Either ending passes here.
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"), autoPong: false);
        await socket.ReceiveTextAsync(); // handshake

        await socket.SendTextAsync("1");

        await socket.WaitForCloseAsync();
    }
}
