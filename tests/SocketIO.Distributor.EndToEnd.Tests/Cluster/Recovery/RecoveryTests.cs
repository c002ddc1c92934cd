using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// Connection state recovery (socket.io 4.6's <c>connectionStateRecovery</c>) across distributors: a
/// real socket.io-client v4 whose connection is cut comes back on the other distributor with the same
/// id, its rooms, and every event it missed exactly once and in order; the backend sees no
/// disconnect. When recovery is impossible the client connects anew and the backend sees the old
/// socket's disconnect once.
/// </summary>
public sealed class RecoveryTests(ITestOutputHelper output)
{
    private const string Chat = "/chat";
    private const string Room = "room";

    [Fact]
    public async Task A_client_cut_while_the_backend_emits_recovers_on_the_other_distributor_with_every_missed_event_once_and_in_order()
    {
        await using var cluster = TestCluster.Create("recover-cut");
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b => backend.Serve(b, Chat));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        var sid = await clients.ConnectAsync("a", d1.Url, Chat);
        var socket = backend.OnlySocket();
        await socket.JoinAsync(Room);
        for (var k = 1; k <= 3; k++)
        {
            backend.EmitNumber(socket, Room, k);
            await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == k);
        }

        await clients.CutAsync("a");
        await clients.WaitForDisconnectAsync("a");

        // Some emits before the backend knows the client left (they reach distributor 1 and die there),
        // the rest once the socket waits to be recovered.
        for (var k = 4; k <= 6; k++)
        {
            backend.EmitNumber(socket, Room, k);
        }

        await Eventually.TrueAsync(() => backend.Nsp.WaitingSockets == 1, "the backend holds the socket for recovery");
        for (var k = 7; k <= 12; k++)
        {
            backend.EmitNumber(socket, Room, k);
        }

        await clients.ReconnectAsync("a", d2.Url);
        await clients.WaitForEventAsync("a", "$connect");
        var reconnected = await clients.WaitForEventAsync("a", "$connect");
        Assert.True(reconnected.Recovered, $"socket.recovered is false: {reconnected}");
        Assert.Equal(sid, reconnected.Sid);

        // Rooms intact and served by distributor 2 now: emits of every kind after the recovery arrive once
        // (one at a time: emits to a socket, a room and everyone travel on different channels).
        for (var k = 13; k <= 15; k++)
        {
            backend.EmitNumber(socket, Room, k);
            await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == k);
        }
        var numbers = clients.Events.Where(e => e.Name == "a" && e.Event == "n").Select(e => e.Args[0].GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, 15), numbers);

        // Every event carried its offset as the last argument, as socket.io does.
        Assert.All(clients.Events.Where(e => e.Name == "a" && e.Event == "n"), e => Assert.Equal(2, e.Args.Count));

        Assert.Empty(backend.Disconnects);
        Assert.Equal(1, backend.Connections);
        Assert.True(socket.Recovered);
        Assert.Equal(d2.Distributor.Id, socket.DistributorId);
        Assert.Same(socket, backend.OnlySocket());
        Assert.Equal(1, backend.Nsp.RecoveryStatistics!.Restored);
        Assert.Equal(1, d2.Distributor.Statistics.SocketsRecovered);
        Assert.Equal(9, d2.Distributor.Statistics.EventsReplayed);
        output.WriteLine($"replayed {d2.Distributor.Statistics.EventsReplayed} events on {d2.Distributor.Id}");
    }

    [Fact]
    public async Task A_session_whose_backend_replica_stopped_is_restored_by_another_replica_from_its_hash_in_redis()
    {
        await using var cluster = TestCluster.Create("recover-replica");
        var first = new RecoveringBackend();
        var second = new RecoveringBackend();
        var b1 = await cluster.StartBackendAsync(b => first.Serve(b, Chat));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        var sid = await clients.ConnectAsync("a", d1.Url, Chat);
        var socket = first.OnlySocket();
        socket.Data["user"] = "alice";
        await socket.JoinAsync(Room);
        first.Nsp.Emit("n", 1);
        await clients.WaitForEventAsync("a", "n");

        await cluster.StartBackendAsync(b => second.Serve(b, Chat));
        await cluster.WaitForBackendsAsync(d2, 2);
        await clients.CutAsync("a");
        await Eventually.TrueAsync(() => first.Nsp.WaitingSockets == 1, "the first replica holds the socket for recovery");
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(cluster.Redis))
        {
            var key = Protocol.Bus.RecoveryKeys.Session(cluster.Prefix, Chat, sid);
            await Eventually.TrueAsync(() => redis.GetDatabase().KeyExists(key), "the session is kept in Redis");
        }

        second.Nsp.To(Room).Emit("n", 2);
        second.Nsp.Emit("n", 3);
        await b1.StopAsync();
        await Eventually.TrueAsync(() => d2.Distributor.Members.Count(m => m.Kind == Protocol.Bus.MemberKind.Backend) == 1, "the first replica is gone");

        await clients.ReconnectAsync("a", d2.Url);
        await clients.WaitForEventAsync("a", "$connect");
        var reconnected = await clients.WaitForEventAsync("a", "$connect");
        Assert.True(reconnected.Recovered, $"socket.recovered is false: {reconnected}");
        Assert.Equal(sid, reconnected.Sid);

        var restored = second.OnlySocket();
        Assert.Equal(sid, restored.Id);
        Assert.True(restored.Recovered);
        Assert.Equal("alice", ((System.Text.Json.JsonElement)restored.Data["user"]!).GetString());
        Assert.Contains(Room, restored.Rooms);

        // As in socket.io, the connection handlers run once CONNECT is on its way: the client may see it first.
        await Eventually.TrueAsync(() => second.Connections == 1, $"the second replica ran its connection handler once (ran {second.Connections})");
        second.Nsp.To(Room).Emit("n", 4);
        await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == 4);
        Assert.Equal([1, 2, 3, 4], clients.Events.Where(e => e.Name == "a" && e.Event == "n").Select(e => e.Args[0].GetInt32()));
        Assert.Empty(first.Disconnects);
        Assert.Equal(1, second.Nsp.RecoveryStatistics!.Restored);
    }

    [Fact]
    public async Task A_client_that_missed_more_than_the_replay_log_keeps_connects_as_a_new_socket_and_the_old_one_disconnects_once()
    {
        await using var cluster = TestCluster.Create("recover-trimmed");
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b => backend.Serve(b, Chat, new ConnectionStateRecovery { MaxReplayEntries = 16 }));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        await clients.ConnectAsync("a", d1.Url, Chat);
        var socket = backend.OnlySocket();
        backend.Nsp.Emit("n", 0);
        await clients.WaitForEventAsync("a", "n");
        await clients.CutAsync("a");
        await Eventually.TrueAsync(() => backend.Nsp.WaitingSockets == 1, "the backend holds the socket for recovery");

        // Far more than the log keeps: the offset the client has is trimmed away.
        for (var k = 1; k <= 100; k++)
        {
            backend.Nsp.Emit("n", k);
        }

        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(cluster.Redis))
        {
            var key = Protocol.Bus.RecoveryKeys.ReplayLog(cluster.Prefix, new Protocol.Bus.BusChannels(cluster.Prefix).Namespace(Chat));
            await Eventually.TrueAsync(() => redis.GetDatabase().SortedSetLength(key) <= 18, "the replay log is trimmed to about 16 entries");
        }

        // d2 has handled all 101 emits before the client comes back: a live emit that d2's namespace channel
        // delivered after the new socket's CONNECT answer (another channel) would reach the new socket, as a
        // remote broadcast reaches a socket that connected meanwhile in socket.io; this test is about replay.
        await Eventually.TrueAsync(() => d2.Distributor.Statistics.BroadcastsReceived >= 101, "d2 handled every emit");
        await clients.ReconnectAsync("a", d2.Url);
        await clients.WaitForEventAsync("a", "$connect");
        var reconnected = await clients.WaitForEventAsync("a", "$connect");
        Assert.False(reconnected.Recovered, $"recovered although its offset was trimmed: {reconnected}");

        // As socket.io: a brand-new socket, with a new id, that the backend sees connect normally.
        Assert.NotEqual(socket.Id, reconnected.Sid);
        Assert.StartsWith(d2.Distributor.Id + ".", reconnected.Sid, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => backend.Connections == 2, "the backend ran its connection handler for the new socket");
        Assert.Equal(1, backend.Nsp.RecoveryStatistics!.Refused);
        Assert.Equal(0, backend.Nsp.RecoveryStatistics.Restored);
        Assert.Equal(1, d2.Distributor.Statistics.RecoveriesRefused);
        Assert.Single(backend.Disconnects);
        Assert.Equal(socket.Id, backend.Disconnects[0].SocketId);
        Assert.Equal(reconnected.Sid, backend.OnlySocket().Id);
        Assert.False(backend.OnlySocket().Recovered);

        // None of the 100 emits it missed was replayed.
        Assert.Single(clients.Events, e => e.Name == "a" && e.Event == "n");
    }

    [Fact]
    public async Task A_client_back_after_the_session_expired_connects_as_a_new_socket_and_the_old_one_disconnected_once()
    {
        await using var cluster = TestCluster.Create("recover-expired");
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b => backend.Serve(b, Chat, new ConnectionStateRecovery { MaxDisconnectionDuration = TimeSpan.FromMilliseconds(300) }));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        var d2 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await cluster.WaitForBackendsAsync(d2, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        var sid = await clients.ConnectAsync("a", d1.Url, Chat);
        backend.Nsp.Emit("n", 1);
        await clients.WaitForEventAsync("a", "n");
        await clients.CutAsync("a");
        await Eventually.TrueAsync(() => backend.Disconnects.Count == 1, "the session expired and the backend saw the disconnect");
        Assert.Equal(sid, backend.Disconnects[0].SocketId);
        Assert.Contains(backend.Disconnects[0].Reason, new[] { "transport close", "transport error" });
        Assert.Equal(1, backend.Nsp.RecoveryStatistics!.Expired);

        await clients.ReconnectAsync("a", d2.Url);
        await clients.WaitForEventAsync("a", "$connect");
        var reconnected = await clients.WaitForEventAsync("a", "$connect");
        Assert.False(reconnected.Recovered);
        Assert.NotEqual(sid, reconnected.Sid);
        await Eventually.TrueAsync(() => backend.Connections == 2, "a new socket connected");
        Assert.Single(backend.Disconnects);
        Assert.Equal(0, backend.Nsp.RecoveryStatistics.Restored);
        Assert.Equal(reconnected.Sid, backend.OnlySocket().Id);
        Assert.False(backend.OnlySocket().Recovered);
    }

    [Fact]
    public async Task A_v2_client_gets_no_session_and_no_offsets_and_its_disconnect_is_not_held()
    {
        await using var cluster = TestCluster.Create("recover-v2");
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b => backend.Serve(b, Chat));
        var d1 = await cluster.StartDistributorAsync([Chat]);
        await cluster.WaitForBackendsAsync(d1, 1);
        await using var clients = await NodeClientDriver.StartAsync("v2", output);

        await clients.ConnectAsync("a", d1.Url, Chat);
        backend.Nsp.Emit("n", 1);
        var received = await clients.WaitForEventAsync("a", "n");
        Assert.Equal(1, Assert.Single(received.Args).GetInt32());

        await clients.CutAsync("a");
        await Eventually.TrueAsync(() => backend.Disconnects.Count == 1, "the backend saw the v2 socket's disconnect at once");
        Assert.Equal(0, backend.Nsp.RecoveryStatistics!.Held);
        Assert.Equal(0, backend.Nsp.WaitingSockets);
    }
}
