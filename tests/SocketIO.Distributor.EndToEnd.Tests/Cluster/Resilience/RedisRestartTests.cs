using System.Diagnostics;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Issue 9, target 1: Redis killed with SIGKILL and restarted on the same port after 2 s (an empty
/// Redis). Every client stays connected and works within 5 s of the restart, none is disconnected,
/// and every broadcast published during the outage is delivered or counted as lost.
/// </summary>
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private const int Clients = 12;
    private const int Broadcasts = 5;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WorkingAgainWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Clients_of_two_distributors_stay_connected_and_working_through_a_Redis_kill_and_restart()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var cluster = TestCluster.Create("redis-restart", redis.ConnectionString);
        var distributors = new[] { await cluster.StartDistributorAsync(["/"]), await cluster.StartDistributorAsync(["/"]) };
        var recorder = new RecordingBackend("b");
        var backend = await cluster.StartBackendAsync(b => recorder.Serve(b, "/"));
        foreach (var distributor in distributors)
        {
            await cluster.WaitForBackendsAsync(distributor, 1);
        }

        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var ids = new string[Clients];
        for (var i = 0; i < Clients; i++)
        {
            await clients.ConnectAsync(Name(i), distributors[i % 2].Url, "/");
            ids[i] = (await clients.EmitWithAckAsync(Name(i), "whoami", []))[0].GetString()!;
        }

        // A first broadcast, so that each distributor knows where the backend's numbering stands.
        backend.Of("/").Emit("tick", "t0");
        await Eventually.TrueAsync(() => Enumerable.Range(0, Clients).All(i => TicksOf(clients, i) == 1), "every client has the first broadcast");

        await redis.KillAsync();
        await Eventually.TrueAsync(
            () => !backend.IsRedisConnected && distributors.All(d => !d.Distributor.IsRedisConnected),
            "every process noticed the outage");
        for (var n = 1; n <= Broadcasts; n++)
        {
            backend.Of("/").Emit("tick", $"t{n}"); // held by the backend's bus until Redis is back
        }

        await Task.Delay(Outage); // the outage itself
        await redis.RestartAsync();
        var restarted = Stopwatch.StartNew();

        // Every client works again (an acked event round-trips through Redis), as the same socket.
        for (var i = 0; i < Clients; i++)
        {
            var left = WorkingAgainWithin - restarted.Elapsed;
            Assert.True(left > TimeSpan.Zero, $"client {i} not yet tried {restarted.Elapsed} after the restart");
            var ack = await clients.EmitWithAckAsync(Name(i), "whoami", [], left);
            Assert.Equal(ids[i], ack[0].GetString());
        }

        var working = restarted.Elapsed;
        var last = $"t{Broadcasts + 1}";
        backend.Of("/").Emit("tick", last); // a later broadcast: a distributor that missed some sees the gap
        for (var i = 0; i < Clients; i++)
        {
            await clients.WaitForEventAsync(Name(i), "tick", e => e.Args[0].GetString() == last);
        }

        var lost = distributors.Select(d => d.Distributor.Statistics.MessagesLost).ToList();
        output.WriteLine(
            $"all {Clients} clients working {working.TotalMilliseconds:0} ms after the restart; ticks per client: "
            + string.Join(",", Enumerable.Range(0, Clients).Select(i => TicksOf(clients, i)))
            + $" (of {Broadcasts + 2}); lost (counted) per distributor: {string.Join(",", lost)}");
        Assert.True(working < WorkingAgainWithin, $"working again only {working} after the restart");
        for (var i = 0; i < Clients; i++)
        {
            // Of the broadcasts published during the outage, each is delivered or counted as lost.
            var duringOutage = TicksOf(clients, i) - 2;
            Assert.InRange(duringOutage, 0, Broadcasts);
            Assert.True(duringOutage + distributors[i % 2].Distributor.Statistics.MessagesLost >= Broadcasts, $"client {i}: {duringOutage} delivered");
            Assert.Equal(0, clients.Count(Name(i), "$disconnect"));
        }

        Assert.Empty(recorder.Disconnects);
        Assert.Equal(Clients, backend.Of("/").Sockets.Count);
        Assert.Equal(Clients, distributors.Sum(d => d.Distributor.SocketCounts()["/"]));
        Assert.Equal(0, backend.PacketsLost);
    }

    private static string Name(int i) => $"c{i}";

    private static int TicksOf(NodeClientDriver clients, int i) => clients.Count(Name(i), "tick");
}
