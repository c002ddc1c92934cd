using System.Collections.Concurrent;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Api;

/// <summary>socket.io's <c>serverSideEmit</c> and <c>serverSideEmitWithAck</c> between the replicas of a namespace.</summary>
public sealed class ServerSideEmitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_server_side_emit_reaches_every_other_replica_and_gathers_their_answers()
    {
        var received = new ConcurrentQueue<(string Backend, string Origin, string Text)>();
        await using var cluster = await ApiCluster.StartAsync("api-server-side", chat: nsp =>
        {
            nsp.OnServerSideEmit("hello", e => received.Enqueue((nsp.Backend.Id, e.OriginId, e.Arguments.Get<string>(0)!)));
            nsp.OnServerSideEmit("ping", async e =>
            {
                await Task.Yield();
                e.Ack("pong from " + nsp.Backend.Id, e.Arguments[0].GetInt32() + 1);
            });
        });

        cluster.Nsp1.ServerSideEmit("hello", "world");
        var answers = await cluster.Nsp1.ServerSideEmitWithAckAsync("ping", [41], TimeSpan.FromSeconds(10));

        var answer = Assert.Single(answers);
        Assert.Equal(cluster.B2.Id, answer.BackendId);
        Assert.Equal("pong from " + cluster.B2.Id, answer.Arguments.Get<string>(0));
        Assert.Equal(42, answer.Arguments[1].GetInt32());

        // B2 handled "hello" before "ping" (one inbox, in order); B1 never receives its own emit.
        Assert.Equal((cluster.B2.Id, cluster.B1.Id, "world"), Assert.Single(received));

        // A third replica without a "ping" handler: the emit times out naming it, with B2's answer.
        var b3 = await cluster.Cluster.StartBackendAsync(b => b.Of(ApiCluster.Chat));
        await Eventually.TrueAsync(() => ApiCluster.Sees(cluster.B1, 2, 3), "B1 sees B3");
        var timeout = await Assert.ThrowsAsync<ServerSideAckTimeoutException>(
            () => cluster.Nsp1.ServerSideEmitWithAckAsync("ping", [1], TimeSpan.FromMilliseconds(800)));
        output.WriteLine(timeout.Message);
        Assert.Equal(b3.Id, Assert.Single(timeout.Missing));
        Assert.Equal(cluster.B2.Id, Assert.Single(timeout.Answers).BackendId);

        // From B2: B1 answers (and B3 stays silent), and B1 and B3 both get "hello".
        cluster.Nsp2.ServerSideEmit("hello", "from b2");
        await Eventually.TrueAsync(() => received.Count(r => r.Text == "from b2") == 1, "B1 handled B2's hello");
        Assert.Equal(cluster.B1.Id, received.Single(r => r.Text == "from b2").Backend);
    }
}
