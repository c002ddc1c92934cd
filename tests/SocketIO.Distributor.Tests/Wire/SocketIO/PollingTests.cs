namespace SocketIO.Distributor.Tests.Wire.SocketIO;

/// <summary>Socket.IO packets carried over Engine.IO v4 long-polling (<c>\u001e</c>-separated, binary as <c>b</c>+base64).</summary>
[Collection(WireCollection.Name)]
public sealed class PollingTests
{
    [Fact]
    public async Task Events_work_over_long_polling()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();

        await client.PushOkAsync(open.Sid, "40");
        var connect = await client.PollPacketsAsync(open.Sid, 2);
        SocketIOWire.AssertConnect(connect[0], "40");
        Assert.Equal("42[\"auth\",{}]", connect[1]);

        await client.PushOkAsync(open.Sid, "42[\"message\",\"polled\"]\u001e42[\"message\",2]");

        Assert.Equal(["42[\"message-back\",\"polled\"]", "42[\"message-back\",2]"], await client.PollPacketsAsync(open.Sid, 2));
    }

    [Fact]
    public async Task Binary_event_over_long_polling_uses_base64_packets()
    {
        await using var server = await WireServer.StartSocketIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();
        await client.PushOkAsync(open.Sid, "40");
        await client.PollPacketsAsync(open.Sid, 2); // CONNECT, auth

        await client.PushOkAsync(open.Sid, "451-[\"message\",{\"_placeholder\":true,\"num\":0}]\u001ebAQIDBA==");

        Assert.Equal(
            ["451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]", "bAQIDBA=="],
            await client.PollPacketsAsync(open.Sid, 2));
    }
}
