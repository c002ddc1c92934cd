using System.Diagnostics;
using System.Text.Json;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;
using static SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience.AckedLoad;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Issue 9 items 3 and 6: a backend replica killed (SIGKILL) or stopped gracefully under a stream of
/// acked events from real socket.io-client v4 clients. Every request ends answered, or answered with an
/// error ack and counted; no client is disconnected; the survivor answers within a second of the kill.
/// </summary>
public sealed class BackendFailoverTests(ITestOutputHelper output)
{
    private const int Sockets = 16;
    private const int Lanes = 2;

    /// <summary>Longer than any failover may take: a request that waits this long is a silent loss.</summary>
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(1);

    /// <param name="version">The socket.io-client.</param>
    /// <param name="trustReceiverCounts">
    /// False as on a Redis Cluster: no publish reply declares the victim dead, its heartbeat does (its
    /// member timeout is 3 × <see cref="TestCluster.Heartbeat"/>), and still nothing is lost silently.
    /// </param>
    [Theory]
    [InlineData("v4", true)]
    [InlineData("v2", true)]
    [InlineData("v4", false)]
    public async Task A_killed_replica_loses_no_request_silently_and_its_sockets_stay_connected(string version, bool trustReceiverCounts)
    {
        await using var cluster = TestCluster.Create("fo-kill");
        var distributor = await cluster.StartDistributorAsync(["/"], o => o.Bus.TrustPublishReceiverCounts = trustReceiverCounts);

        // The victim alone first, so that every socket lands on it.
        await using var victim = await EchoProcess.StartAsync(cluster, "backend", output);
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var names = await ConnectAsync(clients, distributor.Url);
        await StartSurvivorAsync(cluster);
        await cluster.WaitForBackendsAsync(distributor, 2);

        var load = new AckedLoad(clients, names, Lanes, AckTimeout, withoutAck: true);
        await Eventually.TrueAsync(() => load.Answers.Count >= 200, "200 requests answered by the victim");
        var killedAt = Stopwatch.GetTimestamp();
        await victim.KillAsync();
        await Eventually.TrueAsync(
            () => load.Answers.Count(a => a.Backend == "survivor") >= 200,
            "200 requests answered by the survivor",
            AckTimeout * 3);
        await load.StopAsync().WithTimeout("the load to stop", AckTimeout * 2);

        var statistics = distributor.Distributor.Statistics;
        var firstBySurvivor = load.Answers.Where(a => a.Backend == "survivor").Min(a => a.At);
        var failover = Stopwatch.GetElapsedTime(killedAt, firstBySurvivor);
        Report(load, failover);
        output.WriteLine(
            $"distributor: unreachable {statistics.BackendsUnreachable}, resent {statistics.PacketsResent}, acks failed {statistics.AcksFailed}, possibly lost {statistics.EventsPossiblyLost}");

        // Events without ack: each one was handled (its message-back came) or is counted as possibly lost.
        await Eventually.TrueAsync(
            () => load.SentWithoutAck <= names.Sum(name => clients.Count(name, "message-back")) + statistics.EventsPossiblyLost,
            "every event without ack is echoed or counted");
        var echoed = names.Sum(name => clients.Count(name, "message-back"));
        output.WriteLine($"events without ack: sent {load.SentWithoutAck}, echoed {echoed}, possibly lost {statistics.EventsPossiblyLost}");

        Assert.Equal(0, load.Count(Outcome.TimedOut));
        Assert.Equal(0, load.Count(Outcome.Wrong));
        Assert.Equal(load.Sent, load.Count(Outcome.Answered) + load.Count(Outcome.ErrorAck));
        Assert.All(load.Answers.Where(a => a.Outcome == Outcome.ErrorAck), a => Assert.Equal("BACKEND_LOST", a.Detail));
        Assert.Equal(load.Count(Outcome.ErrorAck), statistics.AcksFailed);
        var limit = trustReceiverCounts ? FailoverLimit : TestCluster.Heartbeat * 3 * 3;
        Assert.True(failover <= limit, $"the survivor answered first {failover.TotalMilliseconds:0} ms after the kill");
        Assert.Equal(trustReceiverCounts ? 1 : 0, statistics.BackendsUnreachable);
        Assert.All(names, name => Assert.Equal(0, clients.Count(name, "$disconnect")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task A_replica_that_stops_gracefully_hands_its_sockets_over_without_a_disconnect_or_a_lost_ack(int handlerMilliseconds)
    {
        await using var cluster = TestCluster.Create("fo-drain");
        var distributor = await cluster.StartDistributorAsync(["/"]);

        // With a slow handler, requests are still running at the victim when it is told to stop.
        var victimLog = new LogCapture();
        var victim = await cluster.StartBackendAsync(b => Serve(b, "victim", TimeSpan.FromMilliseconds(handlerMilliseconds)), logs: victimLog);
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var names = await ConnectAsync(clients, distributor.Url);
        await StartSurvivorAsync(cluster);
        await cluster.WaitForBackendsAsync(distributor, 2);

        var load = new AckedLoad(clients, names, Lanes, AckTimeout);
        await Eventually.TrueAsync(() => load.Answers.Count >= 100, "100 requests answered by the victim");
        var stoppedAt = Stopwatch.GetTimestamp();
        await victim.StopAsync().WithTimeout("the graceful stop", AckTimeout * 2);
        var stopTook = Stopwatch.GetElapsedTime(stoppedAt);
        await Eventually.TrueAsync(
            () => load.Answers.Count(a => a.Backend == "survivor" && a.At > stoppedAt) >= 200,
            "200 requests answered by the survivor",
            AckTimeout * 3);
        await load.StopAsync().WithTimeout("the load to stop", AckTimeout * 2);

        var statistics = distributor.Distributor.Statistics;
        var firstBySurvivor = load.Answers.Where(a => a.Backend == "survivor").Min(a => a.At);
        Report(load, Stopwatch.GetElapsedTime(stoppedAt, firstBySurvivor));
        output.WriteLine($"the stop took {stopTook.TotalMilliseconds:0} ms; distributor: unreachable {statistics.BackendsUnreachable}, resent {statistics.PacketsResent}, acks failed {statistics.AcksFailed}");

        Assert.Equal(0, load.Count(Outcome.TimedOut));
        Assert.Equal(0, load.Count(Outcome.Wrong));
        Assert.Equal(0, load.Count(Outcome.ErrorAck));
        Assert.Equal(load.Sent, load.Count(Outcome.Answered));
        Assert.Contains(load.Answers, a => a.Backend == "victim");
        Assert.Equal(0, statistics.AcksFailed);
        Assert.Equal(0, statistics.EventsPossiblyLost);
        Assert.All(names, name => Assert.Equal(0, clients.Count(name, "$disconnect")));

        // The drain ended on the distributor's word that it sent nothing more, not on a silence.
        Assert.True(victimLog.Contains("1 of 1 distributor(s) acknowledged the departure"), victimLog.Dump());
        Assert.False(victimLog.Contains("silence"), victimLog.Dump());
    }

    [Fact]
    public async Task An_event_sent_to_a_replica_that_just_died_is_re_sent_to_the_survivor_and_answered()
    {
        await using var cluster = TestCluster.Create("fo-resend");
        var distributor = await cluster.StartDistributorAsync(["/"]);

        // A slow heartbeat: its entry outlives the test, so only the publish reply can find it dead.
        await using var victim = await EchoProcess.StartAsync(cluster, "backend", output, heartbeat: TimeSpan.FromSeconds(10));
        await cluster.WaitForBackendsAsync(distributor, 1);
        var victimId = distributor.Distributor.Members.Single(m => m.Kind == Protocol.Bus.MemberKind.Backend).Id;
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var names = await ConnectAsync(clients, distributor.Url);
        var survivor = await StartSurvivorAsync(cluster);
        await cluster.WaitForBackendsAsync(distributor, 2);
        foreach (var name in names)
        {
            // Idle sockets: nothing is owed, so nothing probes the victim's inbox.
            Assert.Equal(name, (await clients.EmitWithAckAsync(name, "message-with-ack", [name]))[0].GetString());
        }

        await victim.KillAsync();

        // Redis has noticed the dead subscriber (the victim's entry is still in the members hash).
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Testing.Resp.TestRedis.ConnectionString))
        {
            var inbox = RedisCluster.TestChannels.Of(distributor, $"{cluster.Prefix}:b:{victimId}");
            await Eventually.TrueAsync(
                () => redis.GetSubscriber().Publish(inbox, new Protocol.Bus.InboxProbe("test").Encode()) == 0,
                "Redis counts no subscriber on the victim's inbox");
        }

        Assert.Equal(0, distributor.Distributor.Statistics.BackendsUnreachable);
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(names.Select(name => clients.EmitWithAckAsync(name, "message-with-ack", [name + "-after"], AckTimeout)));
        var took = clock.Elapsed;
        var statistics = distributor.Distributor.Statistics;
        output.WriteLine($"{names.Length} events answered in {took.TotalMilliseconds:0} ms; unreachable {statistics.BackendsUnreachable}, resent {statistics.PacketsResent}, acks failed {statistics.AcksFailed}");

        Assert.All(names.Zip(answers), pair =>
        {
            Assert.Equal(pair.First + "-after", pair.Second[0].GetString());
            Assert.Equal("survivor", pair.Second[1].GetString());
        });
        Assert.Equal(1, statistics.BackendsUnreachable);
        Assert.True(statistics.PacketsResent >= 1, "the first event (0 receivers) was re-sent");
        Assert.Equal(0, statistics.AcksFailed);
        Assert.True(took < FailoverLimit, $"the events took {took.TotalMilliseconds:0} ms");
        Assert.Equal(Sockets, survivor.Of("/").Sockets.Values.Count(s => s.Recovered));
        Assert.All(names, name => Assert.Equal(0, clients.Count(name, "$disconnect")));
    }

    [Fact]
    public async Task A_request_a_draining_replica_cannot_finish_in_its_drain_window_gets_an_error_ack_not_a_timeout()
    {
        await using var cluster = TestCluster.Create("fo-outlast");
        var distributor = await cluster.StartDistributorAsync(["/"]);
        var gate = new TaskCompletionSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var victim = await cluster.StartBackendAsync(
            b => b.Of("/").OnConnection(socket => socket.On("message-with-ack", async e =>
            {
                started.TrySetResult();
                await gate.Task;
                e.Ack("too late");
            })),
            o => o.DrainTimeout = TimeSpan.FromMilliseconds(300));
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("a", distributor.Url, "/");
        await StartSurvivorAsync(cluster);
        await cluster.WaitForBackendsAsync(distributor, 2);

        var stuck = clients.EmitWithAckAsync("a", "message-with-ack", ["stuck"], AckTimeout);
        await started.Task.WithTimeout("the victim's handler to run");
        var clock = Stopwatch.StartNew();
        await victim.StopAsync();
        var answer = await stuck;
        output.WriteLine($"error ack {clock.ElapsedMilliseconds} ms after the stop began: {answer[0].GetRawText()}");

        Assert.Equal("BACKEND_LOST", answer[0].GetProperty("code").GetString());
        Assert.Equal(1, distributor.Distributor.Statistics.AcksFailed);
        var next = await clients.EmitWithAckAsync("a", "message-with-ack", ["next"], AckTimeout);
        Assert.Equal(["next", "survivor"], next.Select(a => a.GetString()));
        Assert.Equal(0, clients.Count("a", "$disconnect"));
        gate.SetResult();
    }

    /// <summary>
    /// A client whose connect hook (<c>OnClientConnect</c>) is still running when the replica picked for it
    /// announces its departure: its CONNECT goes to the other replica, not to the one leaving (whose
    /// inbox closes once its sockets have moved), and the socket stays connected after the drain ends.
    /// </summary>
    [Fact]
    public async Task A_socket_whose_connect_hook_runs_while_its_replica_leaves_connects_to_the_other_replica()
    {
        await using var cluster = TestCluster.Create("fo-hook-leave");
        var holdNext = 0;
        var hookEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseHook = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var distributor = await cluster.StartDistributorAsync(["/"], o => o.OnClientConnect = async _ =>
        {
            if (Interlocked.Exchange(ref holdNext, 0) == 1)
            {
                hookEntered.TrySetResult();
                await releaseHook.Task;
            }

            return null;
        });

        // The victim's drain lasts while a slow request of "keep" runs there.
        var held = new HeldDrain();
        var victimConnections = 0;
        var victim = await cluster.StartBackendAsync(
            b => b.Of("/").OnConnection(socket =>
            {
                Interlocked.Increment(ref victimConnections);
                held.Serve(socket);
            }),
            o => o.DrainTimeout = TimeSpan.FromSeconds(20));
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("keep", distributor.Url, "/");

        // "late" gets the victim (the only replica), then its hook holds it.
        Volatile.Write(ref holdNext, 1);
        var late = clients.TryConnectAsync("late", distributor.Url, "/", timeout: TimeSpan.FromSeconds(15));
        await hookEntered.Task.WithTimeout("the connect hook to run");
        var survivor = await StartSurvivorAsync(cluster);
        await cluster.WaitForBackendsAsync(distributor, 2);

        var slow = await held.StartAsync(clients, "keep");
        var stopping = victim.StopAsync();

        // The distributor marks the victim leaving before it moves its sockets.
        await Eventually.TrueAsync(() => survivor.Of("/").Sockets.Count == 1, "\"keep\" moved to the survivor");

        // The departure is read and the victim drains (its slow request runs): now the hook returns.
        releaseHook.SetResult();
        Assert.Null(await late);
        var answer = await clients.EmitWithAckAsync("late", "message-with-ack", ["after"], AckTimeout);
        Assert.Equal(["after", "survivor"], answer.Select(a => a.GetString()));

        await held.FinishAsync(slow, stopping);

        // After the drain, both sockets are still connected and answered by the survivor.
        await AssertConnectedToTheSurvivorAsync(clients, "keep", "late");

        // The victim was never asked to take "late" (its only connection was "keep").
        Assert.Equal(1, Volatile.Read(ref victimConnections));
        Assert.Equal(0, distributor.Distributor.Statistics.AcksFailed);
    }

    /// <summary>
    /// A client whose CONNECT the picked replica is still deciding (its middleware is slow) when that
    /// replica announces its departure: the socket moves to the other replica, which accepts it, and the
    /// leaving replica's late acceptance does not pin the socket back on it.
    /// </summary>
    [Fact]
    public async Task A_late_acceptance_from_a_replica_a_connecting_socket_moved_away_from_does_not_take_it_back()
    {
        await using var cluster = TestCluster.Create("fo-late-accept");
        var distributor = await cluster.StartDistributorAsync(["/"]);
        var held = new HeldDrain();
        var middlewareEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseMiddleware = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var victim = await cluster.StartBackendAsync(
            b =>
            {
                var nsp = b.Of("/");
                nsp.Use(async (socket, next) =>
                {
                    if (IsLate(socket))
                    {
                        middlewareEntered.TrySetResult();
                        await releaseMiddleware.Task;
                    }

                    await next();
                });
                nsp.OnConnection(socket =>
                {
                    if (IsLate(socket))
                    {
                        lateAccepted.TrySetResult();
                    }

                    held.Serve(socket);
                });
            },
            o => o.DrainTimeout = TimeSpan.FromSeconds(20));
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await clients.ConnectAsync("keep", distributor.Url, "/");

        // "late" is sent to the victim (the only replica), whose middleware holds it.
        var late = clients.TryConnectAsync("late", distributor.Url, "/", auth: new { late = true }, timeout: TimeSpan.FromSeconds(15));
        await middlewareEntered.Task.WithTimeout("the victim's middleware to hold \"late\"");
        var survivor = await StartSurvivorAsync(cluster);
        await cluster.WaitForBackendsAsync(distributor, 2);

        // The victim drains while a slow request of "keep" runs there; both sockets move to the survivor.
        var slow = await held.StartAsync(clients, "keep");
        var stopping = victim.StopAsync();
        await Eventually.TrueAsync(() => survivor.Of("/").Sockets.Count == 2, "both sockets moved to the survivor");
        Assert.Null(await late);

        // Requests while the victim still drains (its inbox open): had the late acceptance pinned the
        // socket back on the victim, the victim would answer them (it did, before the fix).
        releaseMiddleware.SetResult();
        await lateAccepted.Task.WithTimeout("the victim to accept \"late\"");
        for (var i = 0; i < 10; i++)
        {
            var during = await clients.EmitWithAckAsync("late", "message-with-ack", [$"during {i}"], AckTimeout);
            Assert.Equal([$"during {i}", "survivor"], during.Select(a => a.GetString()));
        }

        await held.FinishAsync(slow, stopping);
        await AssertConnectedToTheSurvivorAsync(clients, "late", "keep");

        // Nor was the victim found unreachable afterwards with a socket still pinned on it.
        var statistics = distributor.Distributor.Statistics;
        output.WriteLine($"distributor: unreachable {statistics.BackendsUnreachable}, resent {statistics.PacketsResent}, acks failed {statistics.AcksFailed}");
        Assert.Equal(2, survivor.Of("/").Sockets.Count);
        Assert.Equal(0, statistics.BackendsUnreachable);
        Assert.Equal(0, statistics.PacketsResent);
        Assert.Equal(0, statistics.AcksFailed);
    }

    private static async Task<string[]> ConnectAsync(NodeClientDriver clients, string url)
    {
        var names = Enumerable.Range(0, Sockets).Select(i => $"c{i}").ToArray();
        foreach (var name in names)
        {
            await clients.ConnectAsync(name, url, "/");
        }

        return names;
    }

    private static Task<SocketIOBackend> StartSurvivorAsync(TestCluster cluster) => cluster.StartBackendAsync(b => Serve(b, "survivor"));

    /// <summary>The socket that the connect-path tests hold back ("late"), by its auth.</summary>
    private static bool IsLate(BackendSocket socket) =>
        socket.Handshake.Auth.ValueKind == JsonValueKind.Object && socket.Handshake.Auth.TryGetProperty("late", out _);

    /// <summary>Each socket is still connected, and its requests are answered by the survivor.</summary>
    private static async Task AssertConnectedToTheSurvivorAsync(NodeClientDriver clients, params string[] names)
    {
        foreach (var name in names)
        {
            var answer = await clients.EmitWithAckAsync(name, "message-with-ack", [name], AckTimeout);
            Assert.Equal([name, "survivor"], answer.Select(a => a.GetString()));
            Assert.Equal(0, clients.Count(name, "$disconnect"));
        }
    }

    /// <summary>
    /// Answers <c>message-with-ack</c> with its first argument and <paramref name="label"/> (after
    /// <paramref name="delay"/>), and echoes <c>message</c> as <c>message-back</c>.
    /// </summary>
    private static void Serve(SocketIOBackend backend, string label, TimeSpan delay = default) =>
        backend.Of("/").OnConnection(socket =>
        {
            socket.On("message-with-ack", async e =>
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay);
                }

                e.Ack(e.Arguments[0].GetString(), label);
            });
            socket.On("message", e => socket.Emit("message-back", e.Arguments[0].GetString(), label));
        });

    private void Report(AckedLoad load, TimeSpan failover) =>
        output.WriteLine(
            $"sent {load.Sent}: answered {load.Count(Outcome.Answered)}, error acks {load.Count(Outcome.ErrorAck)}, wrong {load.Count(Outcome.Wrong)}, " +
            $"timed out {load.Count(Outcome.TimedOut)}; first answer by the survivor {failover.TotalMilliseconds:0} ms after the fault");

    /// <summary>
    /// A replica whose graceful stop lasts while a slow request runs there: it answers <c>message-with-ack</c>
    /// as "victim" and holds <c>slow</c> until <see cref="FinishAsync"/>.
    /// </summary>
    private sealed class HeldDrain
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Serve(BackendSocket socket)
        {
            socket.On("message-with-ack", e => e.Ack(e.Arguments[0].GetString(), "victim"));
            socket.On("slow", async e =>
            {
                _started.TrySetResult();
                await _finish.Task;
                e.Ack("slow done", "victim");
            });
        }

        /// <summary>Sends <c>slow</c> from <paramref name="name"/> and waits until it runs at the victim; returns its ack.</summary>
        public async Task<Task<JsonElement[]>> StartAsync(NodeClientDriver clients, string name)
        {
            var slow = clients.EmitWithAckAsync(name, "slow", [], TimeSpan.FromSeconds(15));
            await _started.Task.WithTimeout("the slow request to start at the victim");
            return slow;
        }

        /// <summary>Lets the slow request finish (answered by the victim), then waits for the victim's stop.</summary>
        public async Task FinishAsync(Task<JsonElement[]> slow, Task stopping)
        {
            _finish.SetResult();
            Assert.Equal(["slow done", "victim"], (await slow).Select(a => a.GetString()));
            await stopping.WithTimeout("the victim's drain", TimeSpan.FromSeconds(10));
        }
    }
}
