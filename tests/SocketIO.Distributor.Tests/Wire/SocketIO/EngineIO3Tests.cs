using System.Net;

namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>
/// Engine.IO v3 clients (Socket.IO v2 protocol era, <c>EIO=3</c>), which the Socket.IO echo host allows:
/// <c>len:packet</c> polling framing, the CLIENT pings (<c>2</c>) and the server answers (<c>3</c>), and the
/// server connects the main namespace by itself (<c>40</c> without a sid).
/// </summary>
[Collection(WireCollection.Name)]
public sealed class EngineIO3Tests
{
    [Fact]
    public async Task Polling_handshake_uses_length_prefixed_framing()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.GetAsync("EIO=3&transport=polling");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var packets = EngineIOWireClient.DecodeV3Payload(response.Body);
        var colon = response.Body.IndexOf(':', StringComparison.Ordinal);
        Assert.Equal(packets[0].Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Body[..colon]);
        Assert.Equal(response.Body.Length, packets.Sum(p => p.Length + p.Length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1));
        var open = OpenPacket.Parse(packets[0][1..]);
        Assert.False(string.IsNullOrEmpty(open.Sid));
        Assert.Equal(["websocket"], open.Upgrades);
        Assert.Equal(300, open.PingInterval);
        Assert.Equal(200, open.PingTimeout);

        // The v3 open packet had no maxPayload; the reference (engine.io 6) sends it to v3 clients too.
        Assert.Subset(new HashSet<string>(["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]), open.Keys.ToHashSet());
    }

    [Fact]
    public async Task Server_connects_the_main_namespace_by_itself()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var (open, following) = await client.HandshakeV3Async();

        // The reference sends them on the first poll; a server may also append them to the handshake.
        var packets = following.Concat(await PollV3PacketsAsync(client, open.Sid, 2 - following.Count)).ToList();

        Assert.Equal(["40", "42[\"auth\",{}]"], packets);
    }

    [Fact]
    public async Task Client_pings_and_the_server_answers_over_polling()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await ConnectV3Async(client);

        for (var i = 0; i < 3; i++)
        {
            await client.PushOkAsync(open.Sid, EngineIOWireClient.EncodeV3("2"), eio: 3);
            var poll = await client.PollAsync(open.Sid, eio: 3);
            Assert.Equal(HttpStatusCode.OK, poll.Status);
            Assert.Equal("1:3", poll.Body);
        }
    }

    [Fact]
    public async Task Events_are_echoed_over_polling_with_v3_framing()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await ConnectV3Async(client);

        await client.PushOkAsync(open.Sid, EngineIOWireClient.EncodeV3("42[\"message\",\"€\"]") + EngineIOWireClient.EncodeV3("42[\"message\",2]"), eio: 3);

        Assert.Equal(["42[\"message-back\",\"€\"]", "42[\"message-back\",2]"], await PollV3PacketsAsync(client, open.Sid, 2));
    }

    [Fact]
    public async Task Polling_session_is_closed_when_the_client_stops_pinging()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var (open, _) = await client.HandshakeV3Async();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);

        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "The v3 session was not closed although the client never pinged.");
            var poll = await client.PollAsync(open.Sid, eio: 3);
            if (poll.Status == HttpStatusCode.BadRequest)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.OK, poll.Status);
        }
    }

    [Fact]
    public async Task WebSocket_session_auto_connects_and_answers_client_pings()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=3&transport=websocket"), autoPong: false);

        var open = await socket.ReceiveTextAsync();
        Assert.StartsWith("0", open, StringComparison.Ordinal);
        Assert.Empty(OpenPacket.Parse(open[1..]).Upgrades);
        Assert.Equal("40", await socket.ReceiveTextAsync());
        Assert.Equal("42[\"auth\",{}]", await socket.ReceiveTextAsync());

        for (var i = 0; i < 3; i++)
        {
            await socket.SendTextAsync("2");
            Assert.Equal("3", await socket.ReceiveTextAsync());
        }

        await socket.SendTextAsync("42[\"message\",\"v3\"]");
        Assert.Equal("42[\"message-back\",\"v3\"]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Upgrades_from_polling_to_websocket()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await ConnectV3Async(client);
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri(EngineIOWireClient.Query(3, "websocket", open.Sid)), autoPong: false);

        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("5");
        await socket.SendTextAsync("42[\"message\",\"upgraded\"]");

        string echo;
        do
        {
            echo = await socket.ReceiveTextAsync();
        }
        while (echo == "6");

        Assert.Equal("42[\"message-back\",\"upgraded\"]", echo);
    }

    /// <summary>Opens a v3 polling session and consumes the automatic <c>40</c> and the <c>auth</c> event.</summary>
    private static async Task<OpenPacket> ConnectV3Async(EngineIOWireClient client)
    {
        var (open, following) = await client.HandshakeV3Async();
        var packets = following.Concat(await PollV3PacketsAsync(client, open.Sid, 2 - following.Count)).ToList();
        Assert.Equal(["40", "42[\"auth\",{}]"], packets);
        return open;
    }

    /// <summary>Polls a v3 session until <paramref name="count"/> packets (other than noops) have arrived.</summary>
    private static async Task<List<string>> PollV3PacketsAsync(EngineIOWireClient client, string sid, int count)
    {
        var packets = new List<string>();
        while (packets.Count < count)
        {
            var poll = await client.PollAsync(sid, eio: 3);
            Assert.Equal(HttpStatusCode.OK, poll.Status);
            packets.AddRange(EngineIOWireClient.DecodeV3Payload(poll.Body).Where(p => p != "6"));
        }

        return packets;
    }
}
