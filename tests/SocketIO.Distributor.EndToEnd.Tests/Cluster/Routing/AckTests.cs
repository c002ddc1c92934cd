using System.Text.Json;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>Acknowledgements in both directions, with and without binary, through a distributor and Redis.</summary>
public sealed class AckTests(ITestOutputHelper output)
{
    private static readonly byte[] Binary = [0, 1, 2, 127, 128, 254, 255];

    private sealed record JoinRequest(string Room);

    /// <summary>/chat: acks by hand, typed handlers, a refusing handler, binary; /game: a plain ack (the multiplexed namespace).</summary>
    private static Task<RoutingCluster> StartAsync(string name) => RoutingCluster.StartAsync(
        name,
        chat: nsp => nsp.OnConnection(socket =>
        {
            socket.On("plain", e => e.Ack("got", e.Arguments[0].GetInt32() + 1));
            socket.OnAsync<JoinRequest, string>("join", async request =>
            {
                await socket.JoinAsync(request.Room);
                return "joined " + request.Room;
            });
            socket.OnAsync<JoinRequest, string>("refuse", _ => throw new SocketHandlerException("rooms are closed"));
            socket.On("bin", e =>
            {
                var bytes = e.Arguments.Get<byte[]>(0)!;
                e.Ack(bytes.Length, Enumerable.Reverse(bytes).ToArray());
            });
            socket.On("echo", e => e.Ack(e.Arguments));
        }),
        game: nsp => nsp.OnConnection(socket => socket.On("plain", e => e.Ack("game"))));

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Client_to_server_acks_carry_the_backends_answer(string version)
    {
        await using var cluster = await StartAsync("route-ack-c2s");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        await clients.ConnectAsync("chat", cluster.D2.Url, RoutingCluster.Chat);
        await clients.ConnectAsync("game", cluster.D2.Url, RoutingCluster.Game);

        var plain = await clients.EmitWithAckAsync("chat", "plain", [41]);
        Assert.Equal("got", plain[0].GetString());
        Assert.Equal(42, plain[1].GetInt32());
        Assert.Equal("game", (await clients.EmitWithAckAsync("game", "plain", [1]))[0].GetString());

        var joined = await clients.EmitWithAckAsync("chat", "join", [new { room = "lobby" }]);
        Assert.Equal(JsonValueKind.Null, joined[0].ValueKind);
        Assert.Equal("joined lobby", joined[1].GetString());
        cluster.ChatNsp.To("lobby").Emit("in-lobby");
        await clients.WaitForEventAsync("chat", "in-lobby");

        var refused = await clients.EmitWithAckAsync("chat", "refuse", [new { room = "x" }]);
        Assert.Equal("rooms are closed", Assert.Single(refused).GetString());

        var echoed = await clients.EmitWithAckAsync("chat", "echo", ["as is", new { n = 1, nested = new[] { true } }]);
        Assert.Equal("as is", echoed[0].GetString());
        Assert.Equal("""{"n":1,"nested":[true]}""", echoed[1].GetRawText());
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Binary_travels_in_client_to_server_acks(string version)
    {
        await using var cluster = await StartAsync("route-ack-bin-c2s");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        await clients.ConnectAsync("chat", cluster.D1.Url, RoutingCluster.Chat);

        var ack = await clients.EmitWithAckAsync("chat", "bin", [Binary]);
        Assert.Equal(Binary.Length, ack[0].GetInt32());
        Assert.Equal(Enumerable.Reverse(Binary).ToArray(), DriverJson.DecodeBinary(ack[1]));

        var echoed = await clients.EmitWithAckAsync("chat", "echo", [new { file = Binary, name = "f.bin" }]);
        Assert.Equal(Binary, DriverJson.DecodeBinary(echoed[0].GetProperty("file")));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Server_to_client_acks_reach_the_backend_with_the_clients_answer(string version)
    {
        await using var cluster = await StartAsync("route-ack-s2c");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var fromD1 = await cluster.ConnectAsync(clients, "d1", cluster.D1, RoutingCluster.Chat);
        var fromD2 = await cluster.ConnectAsync(clients, "d2", cluster.D2, RoutingCluster.Chat);
        await clients.SetAckReplyAsync("d1", "question", ["answer from d1", 7]);
        await clients.SetAckReplyAsync("d2", "question", null); // echo
        await clients.SetAckReplyAsync("d2", "bin-question", null);

        var reply = await fromD1.EmitWithAckAsync("question", ["what?"], TimeSpan.FromSeconds(10));
        Assert.Equal("answer from d1", reply[0].GetString());
        Assert.Equal(7, reply[1].GetInt32());
        Assert.True((await clients.WaitForEventAsync("d1", "question")).HasAck);

        // The backend sends the reply back as it came.
        fromD1.Emit("your-answer", reply);
        var back = await clients.WaitForEventAsync("d1", "your-answer");
        Assert.Equal("answer from d1", back.String(0));
        Assert.Equal(7, back.Args[1].GetInt32());

        var echoed = await fromD2.EmitWithAckAsync("question", ["echo me", 3], TimeSpan.FromSeconds(10));
        Assert.Equal("echo me", echoed[0].GetString());

        var binary = await fromD2.EmitWithAckAsync("bin-question", [Binary, "label"], TimeSpan.FromSeconds(10));
        Assert.Equal(Binary, binary.Get<byte[]>(0));
        Assert.Equal("label", binary.Get<string>(1));
        Assert.Equal(Binary, (await clients.WaitForEventAsync("d2", "bin-question")).Bytes(0));
        fromD2.Emit("your-answer", binary);
        Assert.Equal(Binary, (await clients.WaitForEventAsync("d2", "your-answer")).Bytes(0));
    }

    [Fact]
    public async Task SocketIOClient_acks_work_in_both_directions_with_binary()
    {
        await using var cluster = await StartAsync("route-ack-net");
        var answers = new Dictionary<string, object[]> { ["question"] = ["dotnet says", Binary] };
        await using var client = new DotNetSocket(cluster.D2.Url, RoutingCluster.Chat, ["question", "your-answer"], answers);
        await client.ConnectAsync();

        var plain = await client.EmitWithAckAsync("plain", 41);
        Assert.Equal("got", plain.GetValue<string>(0));
        Assert.Equal(42, plain.GetValue<int>(1));

        var joined = await client.EmitWithAckAsync("join", new { room = "lobby" });
        Assert.Equal(JsonValueKind.Null, joined.GetValue(0).ValueKind);
        Assert.Equal("joined lobby", joined.GetValue<string>(1));

        Assert.Equal("rooms are closed", (await client.EmitWithAckAsync("refuse", new { room = "x" })).GetValue<string>(0));

        var bin = await client.EmitWithAckAsync("bin", Binary);
        Assert.Equal(Binary.Length, bin.GetValue<int>(0));
        Assert.Equal(Enumerable.Reverse(Binary).ToArray(), Assert.Single(bin.InComingBytes));

        var socket = cluster.ChatNsp.Sockets[client.Id];
        var reply = await socket.EmitWithAckAsync("question", ["what?"], TimeSpan.FromSeconds(10));
        Assert.Equal("dotnet says", reply.Get<string>(0));
        Assert.Equal(Binary, reply.Get<byte[]>(1));
        socket.Emit("your-answer", reply);
        var back = await client.WaitForEventAsync("your-answer");
        Assert.Equal("dotnet says", back.GetValue<string>(0));
        Assert.Equal(Binary, Assert.Single(back.InComingBytes));
    }
}
