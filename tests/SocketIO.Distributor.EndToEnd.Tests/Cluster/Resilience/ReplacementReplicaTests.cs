using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// A rolling restart of backends stops a replica right after its replacement started, before every
/// distributor's members view (refreshed each heartbeat) has seen the replacement. Found by the fault
/// tests' rolling restart: the distributor disconnected the replica's sockets ("no other is alive"), and a
/// refresh that then found the leaving replica gone treated it as dead and answered its requests still
/// running with <c>BACKEND_LOST</c>.
/// </summary>
public sealed class ReplacementReplicaTests(ITestOutputHelper output)
{
    private const int Sockets = 4;
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_replica_stopping_before_the_distributor_saw_its_replacement_hands_its_sockets_over_and_answers_what_it_runs()
    {
        await using var cluster = TestCluster.Create("replacement");

        // The leaving replica first, then a distributor whose view refreshes only every 10 s (it reads the
        // members once at its start): the replacement started later is not in its view.
        var started = 0;
        var leaving = await cluster.StartBackendAsync(b => Serve(b, "leaving", Slow, () => Interlocked.Increment(ref started)));
        var distributor = await cluster.StartDistributorAsync(["/"], o =>
        {
            o.Bus.HeartbeatInterval = TimeSpan.FromSeconds(10);
            o.Bus.MemberTimeout = TimeSpan.FromSeconds(30);
        });
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var names = Enumerable.Range(0, Sockets).Select(i => $"c{i}").ToArray();
        foreach (var name in names)
        {
            await clients.ConnectAsync(name, distributor.Url, "/");
        }

        await cluster.StartBackendAsync(b => Serve(b, "replacement"));
        Assert.Single(distributor.Distributor.Members, m => m.Kind == Protocol.Bus.MemberKind.Backend);

        // Requests running at the leaving replica when it is told to stop: it must still answer them.
        var running = names.Select(name => clients.EmitWithAckAsync(name, "message-with-ack", [name + "-running"], AckTimeout)).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref started) == Sockets, "the leaving replica runs the requests");
        await leaving.StopAsync().WithTimeout("the graceful stop", AckTimeout * 2);
        var answers = await Task.WhenAll(running);
        var after = await Task.WhenAll(names.Select(name => clients.EmitWithAckAsync(name, "message-with-ack", [name + "-after"], AckTimeout)));
        var statistics = distributor.Distributor.Statistics;
        output.WriteLine($"running: {string.Join(", ", answers.Select(a => a[0].GetRawText()))}; after: {string.Join(", ", after.Select(a => a[1].GetRawText()))}; acks failed {statistics.AcksFailed}");

        Assert.All(names.Zip(answers), pair => Assert.Equal([pair.First + "-running", "leaving"], pair.Second.Select(a => a.GetString())));
        Assert.All(names.Zip(after), pair => Assert.Equal([pair.First + "-after", "replacement"], pair.Second.Select(a => a.GetString())));
        Assert.Equal(0, statistics.AcksFailed);
        Assert.All(names, name => Assert.Equal(0, clients.Count(name, "$disconnect")));
    }

    /// <summary>Answers <c>message-with-ack</c> with its first argument and <paramref name="label"/>, after <paramref name="delay"/>.</summary>
    private static void Serve(SocketIOBackend backend, string label, TimeSpan delay = default, Action? onStart = null) =>
        backend.Of("/").OnConnection(socket => socket.On("message-with-ack", async e =>
        {
            onStart?.Invoke();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            e.Ack(e.Arguments[0].GetString(), label);
        }));
}
