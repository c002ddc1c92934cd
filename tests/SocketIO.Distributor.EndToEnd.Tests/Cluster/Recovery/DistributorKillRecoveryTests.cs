using SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// Connection state recovery survives the crash of the client's distributor: the missed events are
/// in Redis, not in the dead process, and the session is held by the backend.
/// </summary>
public sealed class DistributorKillRecoveryTests(ITestOutputHelper output)
{
    private const string Custom = "/custom";
    private const string Room = "room";

    [Fact]
    public async Task A_client_whose_distributor_is_killed_recovers_on_the_other_with_every_missed_event_once_and_in_order()
    {
        await using var cluster = TestCluster.Create("recover-kill");
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b => backend.Serve(b, Custom));
        await using var doomed = await EchoProcess.StartAsync(cluster, "distributor", output);
        var survivor = await cluster.StartDistributorAsync([Custom]);
        await cluster.WaitForBackendsAsync(survivor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        var sid = await clients.ConnectAsync("a", doomed.Url, Custom);
        var socket = backend.OnlySocket();
        await socket.JoinAsync(Room);
        for (var k = 1; k <= 3; k++)
        {
            backend.EmitNumber(socket, Room, k);
            await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == k);
        }

        await doomed.KillAsync();
        await clients.WaitForDisconnectAsync("a");

        // Emitted while the backend still believes the dead process holds the socket, then while it waits.
        for (var k = 4; k <= 6; k++)
        {
            backend.EmitNumber(socket, Room, k);
        }

        await Eventually.TrueAsync(() => backend.Nsp.WaitingSockets == 1, "the backend noticed the crash and holds the socket for recovery", TestCluster.MemberTimeout * 5);
        for (var k = 7; k <= 12; k++)
        {
            backend.EmitNumber(socket, Room, k);
        }

        await clients.ReconnectAsync("a", survivor.Url);
        await clients.WaitForEventAsync("a", "$connect");
        var reconnected = await clients.WaitForEventAsync("a", "$connect");
        Assert.True(reconnected.Recovered, $"socket.recovered is false: {reconnected}");
        Assert.Equal(sid, reconnected.Sid);
        for (var k = 13; k <= 15; k++)
        {
            backend.EmitNumber(socket, Room, k);
            await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == k);
        }

        var numbers = clients.Events.Where(e => e.Name == "a" && e.Event == "n").Select(e => e.Args[0].GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, 15), numbers);
        Assert.Empty(backend.Disconnects);
        Assert.Equal(1, backend.Connections);
        Assert.Equal(survivor.Distributor.Id, socket.DistributorId);
        Assert.Equal(1, backend.Nsp.RecoveryStatistics!.Restored);
    }

    [Fact]
    public async Task A_client_that_comes_back_before_the_backend_noticed_the_crash_is_recovered_and_the_late_notice_changes_nothing()
    {
        await using var cluster = TestCluster.Create("recover-kill-early");
        var backend = new RecoveringBackend();
        await cluster.StartBackendAsync(b => backend.Serve(b, Custom));
        await using var doomed = await EchoProcess.StartAsync(cluster, "distributor", output);
        var survivor = await cluster.StartDistributorAsync([Custom]);
        await cluster.WaitForBackendsAsync(survivor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        var sid = await clients.ConnectAsync("a", doomed.Url, Custom);
        var socket = backend.OnlySocket();
        await socket.JoinAsync(Room);
        backend.EmitNumber(socket, Room, 1);
        await clients.WaitForEventAsync("a", "n");

        await doomed.KillAsync();
        backend.EmitNumber(socket, Room, 2);
        backend.EmitNumber(socket, Room, 3);

        // Back at once: the backend still counts the socket as open on the dead distributor.
        await clients.ReconnectAsync("a", survivor.Url);
        await clients.WaitForEventAsync("a", "$connect");
        var reconnected = await clients.WaitForEventAsync("a", "$connect");
        Assert.True(reconnected.Recovered, $"socket.recovered is false: {reconnected}");
        Assert.Equal(sid, reconnected.Sid);

        // The crash is noticed later: the socket has moved on and is not disconnected.
        await Eventually.TrueAsync(() => !survivor.Distributor.Members.Any(m => m.Kind == Protocol.Bus.MemberKind.Distributor && m.Id != survivor.Distributor.Id), "the crash is noticed", TestCluster.MemberTimeout * 5);
        backend.EmitNumber(socket, Room, 4);
        await clients.WaitForEventAsync("a", "n", e => e.Args[0].GetInt32() == 4);
        Assert.Equal([1, 2, 3, 4], clients.Events.Where(e => e.Name == "a" && e.Event == "n").Select(e => e.Args[0].GetInt32()));
        Assert.Empty(backend.Disconnects);
        Assert.Equal(0, backend.Nsp.WaitingSockets);
        Assert.Same(socket, backend.OnlySocket());
    }
}
