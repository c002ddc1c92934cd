namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>socket.io-protocol test suite, "connect": CONNECT to namespaces, with and without auth.</summary>
[Collection(WireCollection.Name)]
public sealed class ConnectTests
{
    [Fact]
    public async Task Connects_to_the_main_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("40");

        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40");
        Assert.Equal("42[\"auth\",{}]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Connects_to_the_main_namespace_with_an_auth_payload()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("40{\"token\":\"123\"}");

        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40");
        Assert.Equal("42[\"auth\",{\"token\":\"123\"}]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Connects_to_a_custom_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("40/custom,");

        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40/custom,");
        Assert.Equal("42/custom,[\"auth\",{}]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Connects_to_a_custom_namespace_with_an_auth_payload()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("40/custom,{\"token\":\"abc\"}");

        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40/custom,");
        Assert.Equal("42/custom,[\"auth\",{\"token\":\"abc\"}]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Each_namespace_connection_gets_its_own_sid()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("40");
        var main = SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40");
        await socket.ReceiveTextAsync(); // auth
        await socket.SendTextAsync("40/custom,");
        var custom = SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40/custom,");

        Assert.NotEqual(main, custom);
    }

    [Fact]
    public async Task Refuses_an_unknown_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("40/random");

        Assert.Equal("44/random,{\"message\":\"Invalid namespace\"}", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Session_stays_usable_after_an_unknown_namespace_is_refused()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("40/random,");
        Assert.Equal("44/random,{\"message\":\"Invalid namespace\"}", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("40");

        SocketIOWire.AssertConnect(await socket.ReceiveTextAsync(), "40");
    }

    [Fact]
    public async Task Closes_the_connection_upon_an_invalid_handshake()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.OpenEngineAsync(server);

        await socket.SendTextAsync("4abc");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Closes_the_connection_if_no_namespace_is_joined_within_connectTimeout()
    {
        await using var server = await WireServer.StartSocketIOAsync();

        // Pings are answered, so the close (after connectTimeout, 1000 ms) cannot be a ping timeout.
        await using var socket = await SocketIOWire.OpenEngineAsync(server, autoPong: true);

        await socket.WaitForCloseAsync(TimeSpan.FromSeconds(10));
    }
}
