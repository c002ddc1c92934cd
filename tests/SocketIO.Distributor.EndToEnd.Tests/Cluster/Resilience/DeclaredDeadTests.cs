using System.Diagnostics;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Issue 9, target 4: a process paused past its member timeout is declared dead by the others; when
/// it resumes it notices at its next heartbeat (its alive key is gone) and the cluster converges:
/// no ghost socket (known only to a backend) and no zombie (known only to a distributor) survives.
/// The pause is a held heartbeat (<see cref="HeldHeartbeatTime"/>) and the expiry of its alive key,
/// which the test performs by deleting the key (as Redis does when its TTL runs out).
/// </summary>
public sealed class DeclaredDeadTests(ITestOutputHelper output)
{
    private const int Clients = 6;

    /// <summary>Two heartbeats of the resumed process, plus slack for a loaded machine.</summary>
    private static readonly TimeSpan ConvergeWithin = (2 * TestCluster.Heartbeat) + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_backend_declared_dead_while_paused_releases_the_sockets_that_moved_to_another_replica_when_it_resumes()
    {
        await using var cluster = TestCluster.Create("dead-backend");
        var distributor = await cluster.StartDistributorAsync(["/"]);
        var time = new HeldHeartbeatTime(TestCluster.Heartbeat);
        var victimRecorder = new RecordingBackend("victim");
        var victimOptions = new Backend.BackendOptions();
        cluster.ConfigureBus(victimOptions.Bus);
        victimOptions.Bus.MemberTimeout = TimeSpan.FromSeconds(60); // alive while held, until the test expires its key
        await using var victim = new Backend.SocketIOBackend(victimOptions, timeProvider: time);
        victimRecorder.Serve(victim, "/");
        await victim.StartAsync();
        await cluster.WaitForBackendsAsync(distributor, 1);

        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        for (var i = 0; i < Clients; i++)
        {
            await clients.ConnectAsync(Name(i), distributor.Url, "/");
        }

        Assert.Equal(Clients, victim.Of("/").Sockets.Count);
        var survivorRecorder = new RecordingBackend("survivor");
        var survivor = await cluster.StartBackendAsync(b => survivorRecorder.Serve(b, "/"));
        await cluster.WaitForBackendsAsync(distributor, 2);

        // The pause: its key expires; the distributor moves its sockets to the survivor.
        await ExpireAliveKeyAsync(cluster, MemberKind.Backend, victim.Id);
        await Eventually.TrueAsync(() => survivor.Of("/").Sockets.Count == Clients, "the survivor took over every socket");
        Assert.Equal(Clients, victim.Of("/").Sockets.Count); // ghosts: the paused backend does not know yet

        // It resumes: its next heartbeat finds its key gone, it asks for inventories and drops the ghosts.
        var clock = Stopwatch.StartNew();
        time.Tick();
        await Eventually.TrueAsync(() => victim.Of("/").Sockets.Count == 0, "the resumed backend released the sockets it lost", ConvergeWithin);
        output.WriteLine($"converged {clock.ElapsedMilliseconds} ms after the backend resumed");
        Assert.All(victimRecorder.Disconnects.Values, reason => Assert.Equal("transport close", reason));
        Assert.Equal(Clients, victimRecorder.Disconnects.Count);
        Assert.Equal(Clients, distributor.Distributor.SocketCounts()["/"]);
        for (var i = 0; i < Clients; i++)
        {
            var ack = await clients.EmitWithAckAsync(Name(i), "whoami", []);
            Assert.Equal("survivor", ack[1].GetString());
            Assert.Equal(0, clients.Count(Name(i), "$disconnect"));
        }
    }

    [Fact]
    public async Task A_distributor_declared_dead_while_paused_gets_its_sockets_reattached_when_it_resumes_and_no_client_notices()
    {
        await using var cluster = TestCluster.Create("dead-distributor");
        var recorder = new RecordingBackend("b");
        var backend = await cluster.StartBackendAsync(b => recorder.Serve(b, "/"));

        // Started after the backend: its one refresh (at start) sees it, as its held heartbeat refreshes nothing.
        var time = new HeldHeartbeatTime(TestCluster.Heartbeat);
        var paused = await cluster.StartDistributorAsync(["/"], o => o.Bus.MemberTimeout = TimeSpan.FromSeconds(60), time);
        await cluster.WaitForBackendsAsync(paused, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var ids = new string[Clients];
        for (var i = 0; i < Clients; i++)
        {
            await clients.ConnectAsync(Name(i), paused.Url, "/");
            ids[i] = (await clients.EmitWithAckAsync(Name(i), "whoami", []))[0].GetString()!;
        }

        // The pause: its key expires; the backend drops its sockets (zombies: the clients are still connected).
        await ExpireAliveKeyAsync(cluster, MemberKind.Distributor, paused.Distributor.Id);
        await Eventually.TrueAsync(() => recorder.Disconnects.Count == Clients, "the backend disconnected the sockets of the 'dead' distributor");
        Assert.Empty(backend.Of("/").Sockets);
        Assert.Equal(Clients, paused.Distributor.SocketCounts()["/"]);

        // It resumes: its next heartbeat finds its key gone; its inventory makes the backend report them unknown; they are re-attached.
        var clock = Stopwatch.StartNew();
        time.Tick();
        await Eventually.TrueAsync(() => backend.Of("/").Sockets.Count == Clients, "the backend holds every socket again", ConvergeWithin);
        output.WriteLine($"converged {clock.ElapsedMilliseconds} ms after the distributor resumed");
        Assert.Equal(Clients, paused.Distributor.SocketCounts()["/"]);
        Assert.Equal(Clients, paused.Distributor.Statistics.SocketsReattached);
        Assert.Equal(Clients, recorder.Connections.Count(c => c.Recovered));
        for (var i = 0; i < Clients; i++)
        {
            Assert.Equal(ids[i], (await clients.EmitWithAckAsync(Name(i), "whoami", []))[0].GetString());
            Assert.Equal(0, clients.Count(Name(i), "$disconnect"));
        }

        Assert.Equal(0, backend.PacketsLost);
    }

    private static string Name(int i) => $"c{i}";

    /// <summary>Deletes a member's alive key, as Redis does when its TTL runs out during a pause.</summary>
    private static async Task ExpireAliveKeyAsync(TestCluster cluster, MemberKind kind, string id)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis);
        Assert.True(await redis.GetDatabase().KeyDeleteAsync(new Protocol.Bus.BusChannels(cluster.Prefix).Alive(kind, id)));
    }
}
