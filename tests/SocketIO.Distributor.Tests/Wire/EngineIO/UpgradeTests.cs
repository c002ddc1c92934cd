using System.Net;

namespace SocketIO.Distributor.Tests.Wire.EngineIO;

/// <summary>
/// engine.io-protocol test suite, "upgrade": from long-polling to WebSocket with the probe
/// (<c>2probe</c> → <c>3probe</c>), the noop (<c>6</c>) that releases the pending poll, and the upgrade (<c>5</c>).
/// </summary>
[Collection(WireCollection.Name)]
public sealed class UpgradeTests
{
    [Fact]
    public async Task Upgrades_from_polling_to_websocket()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri(EngineIOWireClient.Query(4, "websocket", open.Sid)));

        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());

        // The noop ends the long-poll cleanly so the client can pause polling; a ping may come first.
        Assert.Equal("6", Assert.Single(await client.PollPacketsAsync(open.Sid, 1)));

        await socket.SendTextAsync("5");
        await socket.SendTextAsync("4hello");
        Assert.Equal("4hello", await ReceiveSkippingNoopsAsync(socket));
    }

    [Fact]
    public async Task Packets_pushed_over_polling_during_the_probe_are_echoed_over_polling()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri(EngineIOWireClient.Query(4, "websocket", open.Sid)));

        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        await client.PushOkAsync(open.Sid, "4before-upgrade");

        // Until the client sends "5", the polling transport is still the one in use: the echo comes
        // back on a poll, possibly after the noop that releases the poll pending during the probe.
        var polled = new List<string>();
        while (polled.Count == 0)
        {
            polled.AddRange((await client.PollPacketsAsync(open.Sid, 1)).Where(p => p != "6"));
        }

        Assert.Equal("4before-upgrade", Assert.Single(polled));

        await socket.SendTextAsync("5");
        await socket.SendTextAsync("4after-upgrade");
        Assert.Equal("4after-upgrade", await ReceiveSkippingNoopsAsync(socket));
    }

    /// <summary>
    /// As the newer suites' "closes any number of polling requests with Noop while upgrading": after the
    /// probe is answered, every poll ends with a noop until the client sends <c>5</c>.
    /// </summary>
    [Fact]
    public async Task Closes_any_number_of_polling_requests_with_a_noop_while_upgrading()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri(EngineIOWireClient.Query(4, "websocket", open.Sid)));

        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        for (var i = 0; i < 3; i++)
        {
            // The reference answers each such poll on its 100 ms upgrade check, so three of them can reach
            // the host's 300 ms ping: a ping is answered (pong) and skipped, the noop must follow.
            Assert.Equal("6", Assert.Single(await client.PollPacketsAsync(open.Sid, 1)));
        }

        await socket.SendTextAsync("5");
        await socket.SendTextAsync("4hello");
        Assert.Equal("4hello", await socket.ReceiveTextAsync());
    }

    /// <summary>
    /// As the original: <c>2probe</c> and <c>5</c> are sent back to back without waiting for <c>3probe</c>,
    /// and a poll follows at once; it must be refused, and the WebSocket must still echo.
    /// </summary>
    [Fact]
    public async Task Ignores_http_requests_with_the_same_sid_after_upgrade()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri(EngineIOWireClient.Query(4, "websocket", open.Sid)));
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");

        var poll = await client.PollAsync(open.Sid);
        Assert.Equal(HttpStatusCode.BadRequest, poll.Status);

        await socket.SendTextAsync("4hello");

        // The original adds its message listener after "3probe" was delivered (during the poll), so the
        // echo is the first message it sees; this client queues every frame, so "3probe" comes first.
        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        Assert.Equal("4hello", await socket.ReceiveTextAsync());
    }

    /// <summary>
    /// As the original: after the same pipelined upgrade, a second WebSocket with the sid opens (HTTP 101)
    /// and is then closed by the server, while the first one still echoes.
    /// </summary>
    [Fact]
    public async Task Ignores_a_websocket_connection_with_the_same_sid_after_upgrade()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();
        var uri = server.WebSocketUri(EngineIOWireClient.Query(4, "websocket", open.Sid));
        await using var socket = await WireWebSocket.ConnectAsync(uri);
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");

        // Opened (no HTTP error, which the official client reports as an error), then closed by the server.
        await using var second = await WireWebSocket.ConnectAsync(uri, autoPong: false);
        await second.WaitForCloseAsync();

        await socket.SendTextAsync("4hello");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        Assert.Equal("4hello", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Websocket_with_an_unknown_sid_is_refused()
    {
        await using var server = await WireServer.StartEngineIOAsync();

        var status = await WireWebSocket.AssertRefusedAsync(server.WebSocketUri("EIO=4&transport=websocket&sid=does-not-exist"));

        Assert.True(status is null or HttpStatusCode.BadRequest, $"Expected 400 or a closed socket, got {status}.");
    }

    /// <summary>The next frame other than a noop (which a server may send on the new transport).</summary>
    private static async Task<string> ReceiveSkippingNoopsAsync(WireWebSocket socket)
    {
        while (true)
        {
            var text = await socket.ReceiveTextAsync();
            if (text != "6")
            {
                return text;
            }
        }
    }
}
