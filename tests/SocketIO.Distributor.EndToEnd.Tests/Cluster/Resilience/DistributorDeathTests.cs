using System.Diagnostics;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// DESIGN principle 7: a distributor that dies makes the backends see <c>disconnect</c> for its
/// sockets, and nothing else is disturbed.
/// </summary>
public sealed class DistributorDeathTests(ITestOutputHelper output)
{
    private static readonly string[] Namespaces = ["/", "/custom"];

    /// <summary>A crashed distributor is noticed once its members entry expires, plus a heartbeat or two.</summary>
    private static readonly TimeSpan CrashDetectionLimit = TestCluster.MemberTimeout * 3;

    [Fact]
    public async Task Killing_a_distributor_process_fires_transport_close_on_the_backend_for_each_of_its_sockets_only()
    {
        await using var cluster = TestCluster.Create("dist-kill");
        var backend = new RecordingBackend("b");
        await cluster.StartBackendAsync(b => backend.Serve(b, Namespaces));
        var survivor = await cluster.StartDistributorAsync(Namespaces);
        await using var doomed = await EchoProcess.StartAsync(cluster, "distributor", output);
        await using var v4 = await NodeClientDriver.StartAsync("v4", output);
        await using var v2 = await NodeClientDriver.StartAsync("v2", output);

        // Four sockets (both namespaces, both client versions) on the process that will die,
        // two on the in-process distributor that stays.
        var victims = new Dictionary<string, string>
        {
            ["v4 /"] = await ConnectAsync(v4, "a", doomed.Url, "/"),
            ["v4 /custom"] = await ConnectAsync(v4, "b", doomed.Url, "/custom"),
            ["v2 /"] = await ConnectAsync(v2, "c", doomed.Url, "/"),
            ["v2 /custom"] = await ConnectAsync(v2, "d", doomed.Url, "/custom"),
        };
        var bystanders = new[] { await ConnectAsync(v4, "e", survivor.Url, "/custom"), await ConnectAsync(v2, "f", survivor.Url, "/") };

        var clock = Stopwatch.StartNew();
        await doomed.KillAsync();
        await Eventually.TrueAsync(
            () => victims.Values.All(backend.Disconnects.ContainsKey),
            $"the backend saw a disconnect for every socket of the killed distributor (seen: {string.Join(", ", backend.Disconnects)})",
            CrashDetectionLimit);
        output.WriteLine($"backend saw all {victims.Count} disconnects {clock.ElapsedMilliseconds} ms after the kill");

        foreach (var (which, id) in victims)
        {
            Assert.True(backend.Disconnects[id] == "transport close", $"{which} ({id}): reason '{backend.Disconnects[id]}', expected 'transport close'");
        }

        // The clients of the dead process noticed too (their transport closed).
        foreach (var (driver, name) in new[] { (v4, "a"), (v4, "b"), (v2, "c"), (v2, "d") })
        {
            await driver.WaitForDisconnectAsync(name);
        }

        // The sockets of the other distributor were not touched and still work.
        Assert.DoesNotContain(bystanders, backend.Disconnects.ContainsKey);
        await AssertRoundTripAsync(v4, "e");
        await AssertRoundTripAsync(v2, "f");
        Assert.Equal(0, v4.Count("e", "$disconnect"));
        Assert.Equal(0, v2.Count("f", "$disconnect"));
        Assert.Equal(victims.Count, backend.Disconnects.Count);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Stopping_a_distributor_gracefully_fires_disconnect_on_the_backend_without_waiting_for_the_member_timeout(string version)
    {
        await using var cluster = TestCluster.Create("dist-stop");
        var backend = new RecordingBackend("b");
        await cluster.StartBackendAsync(b => backend.Serve(b, Namespaces));
        var survivor = await cluster.StartDistributorAsync(Namespaces);
        var logs = new LogCapture();
        var stopping = await LoggedDistributor.StartAsync(cluster, Namespaces, logs);
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        string[] victims;
        string bystander;
        try
        {
            victims = [await ConnectAsync(clients, "a", stopping.Url, "/"), await ConnectAsync(clients, "b", stopping.Url, "/custom")];
            bystander = await ConnectAsync(clients, "c", survivor.Url, "/custom");
        }
        catch
        {
            await stopping.DisposeAsync();
            throw;
        }

        var clock = Stopwatch.StartNew();
        await stopping.DisposeAsync();
        var stopped = clock.Elapsed;

        // Told explicitly (the sockets' disconnects, then the leave announcement): well within the member timeout.
        await Eventually.TrueAsync(
            () => victims.All(backend.Disconnects.ContainsKey),
            $"the backend saw a disconnect for every socket of the stopped distributor (seen: {string.Join(", ", backend.Disconnects)})",
            TestCluster.MemberTimeout);
        output.WriteLine($"stop took {stopped.TotalMilliseconds:F0} ms; backend saw the disconnects {clock.ElapsedMilliseconds} ms after it began");
        Assert.True(stopped < TestCluster.MemberTimeout * 2, $"stopping the distributor took {stopped}");
        foreach (var id in victims)
        {
            Assert.Contains(backend.Disconnects[id], new[] { "server shutting down", "transport close" });
        }

        await clients.WaitForDisconnectAsync("a");
        await clients.WaitForDisconnectAsync("b");
        Assert.False(backend.Disconnects.ContainsKey(bystander));
        await AssertRoundTripAsync(clients, "c");
    }

    /// <summary>
    /// A distributor with a configured id (a StatefulSet pod, a systemd unit) killed and started again at once:
    /// its alive key never lapses (its member timeout here is 30 s), so the membership never reports the old run
    /// dead. The backend fires <c>disconnect</c> for the old run's sockets long before the key could have
    /// expired, and the new run serves. Two ways get there: the backend's inbox probe (an inbox without a
    /// subscriber is a dead distributor's) and, where the probe does not run (<paramref name="probe"/> false,
    /// as on a Redis Cluster, whose receiver counts are per node), the new run's inventory: it tells each
    /// backend which sockets it holds there, none.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_distributor_killed_and_started_again_with_its_configured_id_gets_the_old_runs_sockets_disconnected_at_once(bool probe)
    {
        await using var cluster = TestCluster.Create("dist-same-id");
        var backend = new RecordingBackend("b");
        await cluster.StartBackendAsync(b => backend.Serve(b, Namespaces), o => o.Bus.TrustPublishReceiverCounts = probe);
        var heartbeat = TimeSpan.FromSeconds(10);
        await using var doomed = await EchoProcess.StartAsync(cluster, "distributor", output, heartbeat, distributorId: "edge-1");
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var victims = new[] { await ConnectAsync(clients, "a", doomed.Url, "/"), await ConnectAsync(clients, "b", doomed.Url, "/custom") };

        var clock = Stopwatch.StartNew();
        await doomed.KillAsync();
        await using var again = await EchoProcess.StartAsync(cluster, "distributor", output, heartbeat, distributorId: "edge-1");
        var restarted = clock.Elapsed;
        await Eventually.TrueAsync(
            () => victims.All(backend.Disconnects.ContainsKey),
            $"the backend saw a disconnect for every socket of the killed run (seen: {string.Join(", ", backend.Disconnects)})",
            heartbeat * 2);
        output.WriteLine($"restarted {restarted.TotalMilliseconds:F0} ms after the kill; backend saw the disconnects {clock.ElapsedMilliseconds} ms after it");

        // Well before the old run's key could expire (three heartbeats after its last beat): not a death the membership saw.
        Assert.True(clock.Elapsed < restarted + heartbeat, $"the disconnects came {clock.Elapsed} after the kill, {restarted} of it the restart");
        Assert.All(victims, id => Assert.Equal("transport close", backend.Disconnects[id]));
        await clients.WaitForDisconnectAsync("a");

        // The new run with the same id serves, and its socket is not taken for one of the old run's.
        var fresh = await ConnectAsync(clients, "c", again.Url, "/custom");
        await AssertRoundTripAsync(clients, "c");
        Assert.False(backend.Disconnects.ContainsKey(fresh));
        Assert.Equal(victims.Length, backend.Disconnects.Count);
    }

    /// <summary>
    /// A backend notices a dead distributor only by diffing its previous view of the members hash
    /// with the new one; a distributor that registered, got a socket and died between two of the
    /// backend's refreshes was never in that view, so no MemberDown fires and the socket's
    /// disconnect never runs (with the default 2 s heartbeat: any distributor crashing within ~2 s
    /// of its start). The backend's heartbeat is held here to make that window deterministic;
    /// <paramref name="seenBeforeDeath"/> = true (one backend refresh between the connect and the kill)
    /// is the control case, which works.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_distributor_that_dies_gets_its_sockets_disconnected_even_if_the_backend_never_saw_it_alive(bool seenBeforeDeath)
    {
        await using var cluster = TestCluster.Create("dist-unseen");
        var recorder = new RecordingBackend("b");
        var time = new HeldHeartbeatTime(TestCluster.Heartbeat);
        var options = new Backend.BackendOptions();
        cluster.ConfigureBus(options.Bus);
        options.Bus.MemberTimeout = TimeSpan.FromSeconds(60); // its own entry stays valid while its heartbeat is held
        await using var backend = new Backend.SocketIOBackend(options, timeProvider: time);
        recorder.Serve(backend, Namespaces);
        await backend.StartAsync();

        var observer = await cluster.StartDistributorAsync(Namespaces);
        await using var doomed = await EchoProcess.StartAsync(cluster, "distributor", output);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var id = await ConnectAsync(clients, "a", doomed.Url, "/");
        if (seenBeforeDeath)
        {
            await HeartbeatAsync(time, observer, backend.Id, 1);
            await HeartbeatAsync(time, observer, backend.Id, 2);
        }

        await doomed.KillAsync();
        await Eventually.TrueAsync(
            () => observer.Distributor.Members.Count(m => m.Kind == Protocol.Bus.MemberKind.Distributor) == 1,
            "the other distributor noticed the death (its entry is expired or deleted)");

        // Two heartbeat rounds of the backend: the second beat starts only after the first refresh finished.
        await HeartbeatAsync(time, observer, backend.Id, 3);
        await HeartbeatAsync(time, observer, backend.Id, 4);

        await Eventually.TrueAsync(
            () => recorder.Disconnects.ContainsKey(id),
            "the backend fired disconnect for the socket of the dead distributor",
            TimeSpan.FromSeconds(2));
        Assert.Equal("transport close", recorder.Disconnects[id]);
    }

    /// <summary>Runs one round of the held backend heartbeat (beat, then refresh) and waits until its beat is visible.</summary>
    private static async Task HeartbeatAsync(HeldHeartbeatTime time, DistributorHost observer, string backendId, int round)
    {
        var before = BackendExpiry(observer, backendId);
        time.Tick();
        await Eventually.TrueAsync(() => BackendExpiry(observer, backendId) > before, $"the backend's heartbeat round {round} was seen");
    }

    private static long BackendExpiry(DistributorHost observer, string backendId) =>
        observer.Distributor.Members.FirstOrDefault(m => m.Id == backendId)?.ExpiresAt ?? 0;

    /// <summary>Connects and returns the socket's id as the backend knows it.</summary>
    private static async Task<string> ConnectAsync(NodeClientDriver driver, string name, string url, string nsp)
    {
        await driver.ConnectAsync(name, url, nsp);
        var ack = await driver.EmitWithAckAsync(name, "whoami", []);
        return ack[0].GetString()!;
    }

    private static async Task AssertRoundTripAsync(NodeClientDriver driver, string name)
    {
        var text = $"still here {name}";
        await driver.EmitAsync(name, "message", text);
        await driver.WaitForEventAsync(name, "message-back", e => e.String(0) == text);
    }
}
