using System.Diagnostics;
using System.Text.Json;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Api;

/// <summary>
/// The distributor's truth about a socket, seen from either replica: <c>socket.Rooms</c> follows joins made by the
/// other replica or a remote query, <c>RemoteSocket.Data</c> is the socket's data, <c>RemoteSocket.EmitWithAckAsync</c>
/// gets the client's answer back to the asking replica, and data and rooms survive a move to another replica.
/// </summary>
public sealed class RemoteSocketTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Rooms_data_and_acks_of_a_socket_are_the_same_from_either_replica(string version)
    {
        await using var cluster = await ApiCluster.StartAsync("api-remote-socket");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var socket = await cluster.ConnectAsync(clients, "c", cluster.D1);
        var (serving, other) = cluster.Nsp1.Sockets.ContainsKey(socket.Id) ? (cluster.Nsp1, cluster.Nsp2) : (cluster.Nsp2, cluster.Nsp1);
        await clients.SetAckReplyAsync("c", "question", ["answer", 42]);

        socket.Data["user"] = "ann";
        socket.Data["score"] = 3;
        var remote = await FetchUntilAsync(other, r => r.Data.TryGetValue("score", out var score) && score is JsonElement { ValueKind: JsonValueKind.Number }, "the other replica sees the data");
        Assert.Equal("ann", ((JsonElement)remote.Data["user"]!).GetString());
        Assert.Equal(3, ((JsonElement)remote.Data["score"]!).GetInt32());
        Assert.Equal("ann", (await serving.FetchSocketsAsync()).Single().Data["user"]);

        // Joins and leaves made by the other replica, or by a remote query, show in the serving replica's socket.Rooms.
        remote.Join("blue");
        await Eventually.TrueAsync(() => socket.Rooms.Contains("blue"), "the serving replica sees the join of the other");
        await other.SocketsJoinAsync("green");
        await Eventually.TrueAsync(() => socket.Rooms.Contains("green"), "the serving replica sees the remote query's join");
        remote.Leave("blue");
        await Eventually.TrueAsync(() => !socket.Rooms.Contains("blue"), "the serving replica sees the leave");
        Assert.Equal(new HashSet<string>([socket.Id, "green"]), socket.Rooms);

        // The client's answer comes back to the replica that asked, whichever serves the socket.
        var answer = await remote.EmitWithAckAsync("question", ["from the other replica"], TimeSpan.FromSeconds(10));
        Assert.Equal(("answer", 42), (answer.Get<string>(0), answer[1].GetInt32()));
        Assert.Equal("from the other replica", (await clients.WaitForEventAsync("c", "question")).String(0));
        var fromServing = await (await serving.FetchSocketsAsync()).Single().EmitWithAckAsync("question", ["again"], TimeSpan.FromSeconds(10));
        Assert.Equal("answer", fromServing.Get<string>(0));
    }

    [Fact]
    public async Task Data_and_rooms_move_with_the_socket_to_another_replica()
    {
        await using var cluster = await ApiCluster.StartAsync("api-remote-move");
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var socket = await cluster.ConnectAsync(clients, "c", cluster.D2);
        var (leaving, staying) = cluster.Nsp1.Sockets.ContainsKey(socket.Id) ? (cluster.B1, cluster.B2) : (cluster.B2, cluster.B1);
        await socket.JoinAsync("red");
        socket.Data["user"] = "ann";
        await FetchUntilAsync(staying.Of(ApiCluster.Chat), r => r.Data.ContainsKey("user"), "the distributor holds the data");

        await leaving.StopAsync().WithTimeout("the replica to stop");
        await Eventually.TrueAsync(() => staying.Of(ApiCluster.Chat).Sockets.ContainsKey(socket.Id), "the socket moved to the other replica");

        var moved = staying.Of(ApiCluster.Chat).Sockets[socket.Id];
        Assert.True(moved.Recovered);
        Assert.Equal("ann", ((JsonElement)moved.Data["user"]!).GetString());
        Assert.Contains("red", moved.Rooms);
        moved.Data["user"] = "ann (moved)";
        await FetchUntilAsync(staying.Of(ApiCluster.Chat), r => r.Data["user"] is "ann (moved)", "the new replica's write is the data");
        staying.Of(ApiCluster.Chat).To("red").Emit("still-red");
        await clients.WaitForEventAsync("c", "still-red");
    }

    /// <summary>Fetches the one socket until <paramref name="condition"/> holds (the copy travels asynchronously).</summary>
    private static async Task<RemoteSocket> FetchUntilAsync(BackendNamespace nsp, Func<RemoteSocket, bool> condition, string because)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Eventually.DefaultTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var sockets = await nsp.FetchSocketsAsync();
            if (sockets.Count == 1 && condition(sockets[0]))
            {
                return sockets[0];
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting until {because}.");
            }

            await Task.Delay(20);
        }
    }
}
