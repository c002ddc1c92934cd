namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>
/// BINARY_EVENT / BINARY_ACK (<c>45</c>/<c>46</c>): a text header with placeholders, then one binary frame
/// per attachment, in both directions.
/// </summary>
[Collection(WireCollection.Name)]
public sealed class BinaryTests
{
    private const string TwoPlaceholders = "{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}";

    [Fact]
    public async Task Event_with_binary_attachments_is_echoed_with_its_attachments()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync($"452-[\"message\",{TwoPlaceholders}]");
        await socket.SendBinaryAsync(1, 2, 3);
        await socket.SendBinaryAsync(4, 5, 6);

        Assert.Equal($"452-[\"message-back\",{TwoPlaceholders}]", await socket.ReceiveTextAsync());
        Assert.Equal(new byte[] { 1, 2, 3 }, await socket.ReceiveBinaryAsync());
        Assert.Equal(new byte[] { 4, 5, 6 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Event_with_binary_attachments_and_an_ack_is_acknowledged_with_binary()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync($"452-789[\"message-with-ack\",{TwoPlaceholders}]");
        await socket.SendBinaryAsync(1, 2, 3);
        await socket.SendBinaryAsync(4, 5, 6);

        Assert.Equal($"462-789[{TwoPlaceholders}]", await socket.ReceiveTextAsync());
        Assert.Equal(new byte[] { 1, 2, 3 }, await socket.ReceiveBinaryAsync());
        Assert.Equal(new byte[] { 4, 5, 6 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Binary_attachment_nested_in_an_object_is_echoed()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("451-[\"message\",{\"file\":{\"_placeholder\":true,\"num\":0},\"name\":\"x\"}]");
        await socket.SendBinaryAsync(9, 8, 7);

        Assert.Equal("451-[\"message-back\",{\"file\":{\"_placeholder\":true,\"num\":0},\"name\":\"x\"}]", await socket.ReceiveTextAsync());
        Assert.Equal(new byte[] { 9, 8, 7 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Binary_event_in_a_custom_namespace_is_echoed()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);
        await SocketIOWire.ConnectCustomAsync(socket);

        await socket.SendTextAsync("451-/custom,[\"message\",{\"_placeholder\":true,\"num\":0}]");
        await socket.SendBinaryAsync(0, 255);

        Assert.Equal("451-/custom,[\"message-back\",{\"_placeholder\":true,\"num\":0}]", await socket.ReceiveTextAsync());
        Assert.Equal(new byte[] { 0, 255 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Client_acknowledges_a_binary_server_event_with_binary()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("451-[\"request-server-ack\",{\"_placeholder\":true,\"num\":0}]");
        await socket.SendBinaryAsync(1, 2);
        var (ackId, json) = SocketIOWire.SplitAckId(await socket.ReceiveTextAsync(), "451-");
        Assert.Equal("[\"server-ack-me\",{\"_placeholder\":true,\"num\":0}]", json);
        Assert.Equal(new byte[] { 1, 2 }, await socket.ReceiveBinaryAsync());

        await socket.SendTextAsync($"461-{ackId}[{{\"_placeholder\":true,\"num\":0}},\"text\"]");
        await socket.SendBinaryAsync(3, 4);

        Assert.Equal("451-[\"server-ack-received\",{\"_placeholder\":true,\"num\":0},\"text\"]", await socket.ReceiveTextAsync());
        Assert.Equal(new byte[] { 3, 4 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Ten_attachments_the_default_limit_are_echoed()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync($"4510-[\"message\",{Placeholders(10)}]");
        for (byte i = 0; i < 10; i++)
        {
            await socket.SendBinaryAsync(i);
        }

        Assert.Equal($"4510-[\"message-back\",{Placeholders(10)}]", await socket.ReceiveTextAsync());
        for (byte i = 0; i < 10; i++)
        {
            Assert.Equal(new[] { i }, await socket.ReceiveBinaryAsync());
        }
    }

    /// <summary>socket.io-parser 4.2.6 refuses more than 10 attachments per packet; so does this server, by default.</summary>
    [Fact]
    public async Task A_packet_announcing_eleven_attachments_closes_the_connection()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync($"4511-[\"message\",{Placeholders(11)}]");

        await socket.WaitForCloseAsync();
    }

    private static string Placeholders(int count) =>
        string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"_placeholder\":true,\"num\":{i}}}"));
}
