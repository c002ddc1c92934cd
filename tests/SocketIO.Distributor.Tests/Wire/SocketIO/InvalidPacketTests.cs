namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>socket.io-protocol test suite, "message": a malformed packet closes the whole connection.</summary>
[Collection(WireCollection.Name)]
public sealed class InvalidPacketTests
{
    [Theory]
    [InlineData("4abc")] // unknown packet type
    [InlineData("42{}")] // payload is not an array
    [InlineData("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]")] // invalid ack id
    [InlineData("42[]")] // event without a name
    [InlineData("42[{}]")] // event name neither a string nor a number
    [InlineData("42[\"disconnect\"]")] // reserved event name (the reference refuses it)
    [InlineData("42[\"message\"")] // truncated JSON
    public async Task Closes_the_connection_upon_an_invalid_packet(string packet)
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        await socket.SendTextAsync(packet);

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Closes_the_connection_upon_an_event_for_a_namespace_not_joined()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        // Not in the protocol text; the reference (socket.io 4) treats it as an invalid state and closes.
        await socket.SendTextAsync("42/custom,[\"message\",\"not joined\"]");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Closes_the_connection_upon_a_second_connect_to_the_same_namespace()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        await using var socket = await SocketIOWire.ConnectMainAsync(server);

        // Not in the protocol text; the reference (socket.io 4) treats it as an invalid state and closes.
        await socket.SendTextAsync("40");

        await socket.WaitForCloseAsync();
    }
}
