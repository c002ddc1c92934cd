namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>
/// Acknowledgements in both directions: the client's (socket.io-protocol suite, <c>message-with-ack</c>)
/// and the server's (extension: <c>request-server-ack</c> → <c>server-ack-me</c> with an ack id →
/// <c>server-ack-received</c> with the client's ack arguments).
/// </summary>
[Collection(WireCollection.Name)]
public sealed class AckTests
{
    [Fact]
    public async Task Server_acknowledges_a_client_event()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        Assert.Equal("43456[1,\"2\",{\"3\":[false]}]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Server_acknowledges_a_client_event_in_a_custom_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);
        await SocketIOWire.ConnectCustomAsync(socket);

        await socket.SendTextAsync("42/custom,12[\"message-with-ack\",\"x\"]");

        Assert.Equal("43/custom,12[\"x\"]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Server_acknowledges_with_no_arguments()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("420[\"message-with-ack\"]");

        Assert.Equal("430[]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Client_acknowledges_a_server_event()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("42[\"request-server-ack\",1,\"two\"]");
        var (ackId, json) = SocketIOWire.SplitAckId(await socket.ReceiveTextAsync(), "42");
        Assert.Equal("[\"server-ack-me\",1,\"two\"]", json);

        await socket.SendTextAsync($"43{ackId}[\"got it\",{{\"n\":3}}]");

        Assert.Equal("42[\"server-ack-received\",\"got it\",{\"n\":3}]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Server_ack_ids_are_distinct_and_each_ack_is_matched_to_its_event()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("42[\"request-server-ack\",\"a\"]");
        await socket.SendTextAsync("42[\"request-server-ack\",\"b\"]");
        var (idA, jsonA) = SocketIOWire.SplitAckId(await socket.ReceiveTextAsync(), "42");
        var (idB, jsonB) = SocketIOWire.SplitAckId(await socket.ReceiveTextAsync(), "42");
        Assert.Equal("[\"server-ack-me\",\"a\"]", jsonA);
        Assert.Equal("[\"server-ack-me\",\"b\"]", jsonB);
        Assert.NotEqual(idA, idB);

        // Acknowledge in reverse order.
        await socket.SendTextAsync($"43{idB}[\"ack-b\"]");
        await socket.SendTextAsync($"43{idA}[\"ack-a\"]");

        Assert.Equal("42[\"server-ack-received\",\"ack-b\"]", await socket.ReceiveTextAsync());
        Assert.Equal("42[\"server-ack-received\",\"ack-a\"]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Client_acknowledges_a_server_event_in_a_custom_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);
        await SocketIOWire.ConnectCustomAsync(socket);

        await socket.SendTextAsync("42/custom,[\"request-server-ack\",true]");
        var (ackId, json) = SocketIOWire.SplitAckId(await socket.ReceiveTextAsync(), "42/custom,");
        Assert.Equal("[\"server-ack-me\",true]", json);

        await socket.SendTextAsync($"43/custom,{ackId}[false]");

        Assert.Equal("42/custom,[\"server-ack-received\",false]", await socket.ReceiveTextAsync());
    }
}
