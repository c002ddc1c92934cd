namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>socket.io-protocol test suite, "disconnect": DISCONNECT (<c>41</c>) leaves a namespace, not the session.</summary>
[Collection(WireCollection.Name)]
public sealed class DisconnectTests
{
    [Fact]
    public async Task Disconnecting_from_the_main_namespace_keeps_the_session_open()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server, autoPong: false);
        await socket.SendTextAsync("40");
        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40");
        Assert.Equal("42[\"auth\",{}]", await socket.ReceiveTextAsync());

        await socket.SendTextAsync("41");

        // Nothing answers the DISCONNECT; the next thing the server sends is its ping.
        Assert.Equal("2", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("3");
    }

    [Fact]
    public async Task Main_namespace_can_be_joined_again_after_disconnecting()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server, autoPong: false);
        await socket.SendTextAsync("40");
        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40");
        Assert.Equal("42[\"auth\",{}]", await socket.ReceiveTextAsync());

        await socket.SendTextAsync("41");

        // Wait for the next ping before reconnecting: the reference handles the DISCONNECT a tick later,
        // and a CONNECT seen before that counts as a second CONNECT and closes the connection.
        Assert.Equal("2", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("3");
        await socket.SendTextAsync("40");

        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40");
        Assert.Equal("42[\"auth\",{}]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Connects_then_disconnects_from_a_custom_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("40/custom");
        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40/custom,");
        Assert.Equal("42/custom,[\"auth\",{}]", await socket.ReceiveTextAsync());

        await socket.SendTextAsync("41/custom");
        await socket.SendTextAsync("42[\"message\",\"message to main namespace\"]");

        Assert.Equal("42[\"message-back\",\"message to main namespace\"]", await socket.ReceiveTextAsync());
    }
}
