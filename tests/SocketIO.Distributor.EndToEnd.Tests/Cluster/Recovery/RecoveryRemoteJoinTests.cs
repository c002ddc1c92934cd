using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// Rooms a socket joined through a remote query (<c>io.in(room).socketsJoin(...)</c>), not through its
/// own <c>socket.join</c>, are part of its session too: a real socket.io-client v4 cut and back on the
/// other distributor gets what was emitted to such a room while it was away, and later emits to it.
/// </summary>
public sealed class RecoveryRemoteJoinTests(ITestOutputHelper output)
{
    private const string Chat = "/chat";

    [Fact]
    public async Task Rooms_joined_by_a_remote_query_are_restored_with_what_was_emitted_to_them_meanwhile()
    {
        await using var cluster = TestCluster.Create("recover-remote-join");
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b => backend.Serve(b, Chat));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        var sid = await clients.ConnectAsync("a", d1.Url, Chat);
        var socket = backend.OnlySocket();

        // Joined by a query over every distributor, then left one of the two again the same way.
        await backend.Nsp.In(sid).SocketsJoinAsync("remote", "gone");
        await backend.Nsp.In(sid).SocketsLeaveAsync("gone");
        await Eventually.TrueAsync(() => socket.Rooms.Contains("remote") && !socket.Rooms.Contains("gone"), "the backend's view of the socket has the rooms the query changed");
        backend.Nsp.To("remote").Emit("n", 1);
        await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == 1);

        await clients.CutAsync("a");
        await Eventually.TrueAsync(() => backend.Nsp.WaitingSockets == 1, "the backend holds the socket for recovery");
        backend.Nsp.To("remote").Emit("n", 2);
        backend.Nsp.To("gone").Emit("n", -1);

        await clients.ReconnectAsync("a", d2.Url);
        await clients.WaitForEventAsync("a", "$connect");
        var reconnected = await clients.WaitForEventAsync("a", "$connect");
        Assert.True(reconnected.Recovered, $"socket.recovered is false: {reconnected}");
        Assert.Equal(sid, reconnected.Sid);

        // Missed while away (replayed), then live on distributor 2, which joined it to the room again.
        await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == 2);
        backend.Nsp.To("remote").Emit("n", 3);
        await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == 3);
        var remote = await backend.Nsp.In("remote").FetchSocketsAsync();
        Assert.Equal(sid, Assert.Single(remote).Id);
        Assert.Empty(await backend.Nsp.In("gone").FetchSocketsAsync());

        var numbers = clients.Events.Where(e => e.Name == "a" && e.Event == "n").Select(e => e.Args[0].GetInt32()).ToList();
        Assert.Equal([1, 2, 3], numbers);
        Assert.Empty(backend.Disconnects);
        Assert.Equal(1, backend.Connections);
    }
}
