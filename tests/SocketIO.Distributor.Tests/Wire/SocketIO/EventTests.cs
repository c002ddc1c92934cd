namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>socket.io-protocol test suite, "message": EVENT packets echoed as <c>message-back</c>.</summary>
[Collection(WireCollection.Name)]
public sealed class EventTests
{
    [Fact]
    public async Task Plain_text_event_is_echoed()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("42[\"message\",1,\"2\",{\"3\":[true]}]");

        Assert.Equal("42[\"message-back\",1,\"2\",{\"3\":[true]}]", await socket.ReceiveTextAsync());
    }

    [Theory]
    [InlineData("[\"message\"]", "[\"message-back\"]")]
    [InlineData("[\"message\",null,false,-1.5,\"\"]", "[\"message-back\",null,false,-1.5,\"\"]")]
    [InlineData("[\"message\",\"hello €亜Б 😀\"]", "[\"message-back\",\"hello €亜Б 😀\"]")]
    [InlineData("[\"message\",{\"nested\":{\"a\":[1,{\"b\":\"c\"}]}}]", "[\"message-back\",{\"nested\":{\"a\":[1,{\"b\":\"c\"}]}}]")]
    public async Task Event_arguments_round_trip_unchanged(string sent, string expected)
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync("42" + sent);

        Assert.Equal("42" + expected, await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Event_in_a_custom_namespace_is_echoed_in_that_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);
        await SocketIOWire.ConnectCustomAsync(socket);

        await socket.SendTextAsync("42/custom,[\"message\",\"hi\"]");

        Assert.Equal("42/custom,[\"message-back\",\"hi\"]", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Events_are_echoed_in_order()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        for (var i = 0; i < 20; i++)
        {
            await socket.SendTextAsync($"42[\"message\",{i}]");
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"42[\"message-back\",{i}]", await socket.ReceiveTextAsync());
        }
    }
}
