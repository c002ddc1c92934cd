namespace SocketIO.Distributor.Tests.Wire.EngineIO;

/// <summary>engine.io-protocol test suite, "message / WebSocket": one packet per frame, echoed by the host.</summary>
[Collection(WireCollection.Name)]
public sealed class WebSocketTests
{
    [Fact]
    public async Task Plain_text_packet_is_echoed()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await OpenAsync(server);

        await socket.SendTextAsync("4hello");

        Assert.Equal("4hello", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Binary_packet_is_echoed_as_a_binary_frame()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await OpenAsync(server);

        await socket.SendBinaryAsync(1, 2, 3, 4);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Packets_are_echoed_in_order()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await OpenAsync(server);

        await socket.SendTextAsync("4one");
        await socket.SendBinaryAsync(2);
        await socket.SendTextAsync("4three €");

        Assert.Equal("4one", await socket.ReceiveTextAsync());
        Assert.Equal(new byte[] { 2 }, await socket.ReceiveBinaryAsync());
        Assert.Equal("4three €", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Invalid_packet_format_closes_the_session()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await OpenAsync(server);

        await socket.SendTextAsync("abc");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Frame_larger_than_maxPayload_closes_the_session()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        await using var socket = await OpenAsync(server);

        await socket.SendTextAsync("4" + new string('a', 1_000_000));

        await socket.WaitForCloseAsync();
    }

    private static async Task<WireWebSocket> OpenAsync(WireServer server)
    {
        var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"));
        Assert.StartsWith("0", await socket.ReceiveTextAsync(), StringComparison.Ordinal); // handshake
        return socket;
    }
}
