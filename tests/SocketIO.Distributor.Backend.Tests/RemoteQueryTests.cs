using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class RemoteQueryTests
{
    [Fact]
    public async Task FetchSocketsAsync_gathers_the_sockets_of_every_distributor()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/game"), distributors: ["d1", "d2"]);
        h.D1.Sockets["a"] = ["red"];
        h.D2.Sockets["b"] = ["blue"];
        h.D2.Sockets["c"] = ["red", "blue"];
        await h.DistributorsSeenAsync("/game", 2);

        var all = await h.Backend.Of("/game").FetchSocketsAsync().WithTimeout("fetch");
        var red = await h.Backend.Of("/game").In("red").Except("blue").FetchSocketsAsync().WithTimeout("fetch red");

        Assert.Equal(["a", "b", "c"], all.Select(s => s.Id).Order());
        var c = all.Single(s => s.Id == "c");
        Assert.Equal("d2", c.DistributorId);
        Assert.Equal("/game", c.Namespace);
        Assert.Contains("red", c.Rooms);
        Assert.Equal("127.0.0.1", c.Handshake.Address);
        Assert.Equal("a", Assert.Single(red).Id);
        var query = h.D1.ReceivedOf<RemoteQuery>().Last();
        Assert.Equal(SocketCommandKind.Fetch, query.Kind);
        Assert.Equal(["red"], query.Rooms);
        Assert.Equal(["blue"], query.Except);
    }

    [Fact]
    public async Task SocketsJoinAsync_reaches_every_distributor_and_waits_for_their_replies()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"), distributors: ["d1", "d2"]);
        var mine = await h.ConnectAsync("s1");
        h.D1.Sockets["s1"] = [];
        h.D2.Sockets["x"] = ["lobby"];
        await h.DistributorsSeenAsync("/", 2);

        await h.Backend.Of("/").SocketsJoinAsync("everyone").WithTimeout("join");
        await h.Backend.Of("/").In("lobby").SocketsLeaveAsync("lobby").WithTimeout("leave");

        Assert.Contains("everyone", h.D1.Sockets["s1"]);
        Assert.Equal(["everyone"], h.D2.Sockets["x"]);
        Assert.Contains("everyone", mine.Rooms);
        var join = h.D2.ReceivedOf<RemoteQuery>().First();
        Assert.Equal((SocketCommandKind.Join, "/"), (join.Kind, join.Namespace));
        Assert.Equal(["everyone"], join.TargetRooms);
        Assert.Equal(h.D2.Channels.Backend("b1"), join.ReplyChannel);
    }

    [Fact]
    public async Task DisconnectSocketsAsync_sends_the_close_flag()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        await h.DistributorsSeenAsync("/", 1);

        await h.Backend.Of("/").To("room").DisconnectSocketsAsync(close: true).WithTimeout("disconnect");

        var query = Assert.Single(h.D1.ReceivedOf<RemoteQuery>());
        Assert.Equal(SocketCommandKind.Disconnect, query.Kind);
        Assert.True(query.Close);
        Assert.Equal(["room"], query.Rooms);
    }

    [Fact]
    public async Task A_silent_distributor_leaves_a_partial_answer_at_the_timeout()
    {
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/"),
            distributors: ["d1", "d2"],
            configure: o => o.RemoteQueryTimeout = TimeSpan.FromSeconds(2));
        h.D1.Sockets["a"] = [];
        h.D2.Sockets["b"] = [];
        h.D2.AnswerQueries = false;
        await h.DistributorsSeenAsync("/", 2);

        var sockets = await h.Backend.Of("/").FetchSocketsAsync().WithTimeout("the partial answer");

        Assert.Equal("a", Assert.Single(sockets).Id);
        Assert.Contains(h.Logs.Entries, e => e.EventId == 4040 && e.Message.Contains("d2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Remote_socket_commands_go_to_its_distributor()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"), distributors: ["d1", "d2"]);
        h.D2.Sockets["far"] = [];
        await h.DistributorsSeenAsync("/", 2);
        var far = Assert.Single(await h.Backend.Of("/").FetchSocketsAsync().WithTimeout("fetch"));

        far.Emit("hello", "there");
        far.Join("x");
        far.Leave("x");
        far.Disconnect();

        await h.SentAsync("far", "42[\"hello\",\"there\"]", h.D2);
        await Eventually.TrueAsync(() => h.D2.ReceivedOf<SocketCommand>().Count == 3, "three commands");
        Assert.Equal(
            [SocketCommandKind.Join, SocketCommandKind.Leave, SocketCommandKind.Disconnect],
            h.D2.ReceivedOf<SocketCommand>().Select(c => c.Kind));
        Assert.Empty(h.D1.ReceivedOf<SocketCommand>());
    }
}
