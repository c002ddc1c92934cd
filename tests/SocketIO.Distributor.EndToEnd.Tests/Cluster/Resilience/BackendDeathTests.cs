using System.Diagnostics;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// DESIGN principle 7: a backend that dies makes distributors move its sockets to another live
/// replica of the namespace, or disconnect them when none is left. "crash" kills a SocketIOEcho
/// backend process (noticed by the member timeout); "stop" is <see cref="Backend.SocketIOBackend.StopAsync"/>
/// (announced). The SDK has no crash-like in-process stop: DisposeAsync is StopAsync.
/// </summary>
public sealed class BackendDeathTests(ITestOutputHelper output)
{
    private static readonly string[] Namespaces = ["/", "/custom"];

    /// <summary>A crashed member is noticed once its entry expires, plus a heartbeat or two.</summary>
    private static readonly TimeSpan DetectionLimit = TestCluster.MemberTimeout * 3;

    /// <summary>Well under <see cref="Distribution.DistributorOptions.BackendConnectTimeout"/> (5 s): a refusal, not a timeout.</summary>
    private static readonly TimeSpan PromptRefusal = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("v4", "crash")]
    [InlineData("v2", "crash")]
    [InlineData("v4", "stop")]
    [InlineData("v2", "stop")]
    public async Task When_the_only_backend_dies_its_clients_are_disconnected_and_new_connects_are_refused_promptly(string version, string death)
    {
        await using var cluster = TestCluster.Create("be-only");
        var distributor = await cluster.StartDistributorAsync(Namespaces);
        await using var victim = await Victim.StartAsync(cluster, death, output);
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        await clients.ConnectAsync("a", distributor.Url, "/");
        await clients.ConnectAsync("b", distributor.Url, "/custom");
        await RoundTripAsync(clients, "a", "before");
        await RoundTripAsync(clients, "b", "before");

        var clock = Stopwatch.StartNew();
        await victim.DieAsync();
        var a = await clients.WaitForDisconnectAsync("a", DetectionLimit);
        var b = await clients.WaitForDisconnectAsync("b", DetectionLimit);
        output.WriteLine($"{death}: clients disconnected {clock.ElapsedMilliseconds} ms after the backend died");

        // A namespace disconnect from the server, not a dropped connection or a ping timeout.
        Assert.Equal("io server disconnect", a.Reason);
        Assert.Equal("io server disconnect", b.Reason);

        clock.Restart();
        var error = await clients.TryConnectAsync("late", distributor.Url, "/custom", timeout: TimeSpan.FromSeconds(10));
        output.WriteLine($"new connect refused after {clock.ElapsedMilliseconds} ms: {error}");
        Assert.NotNull(error);
        Assert.Contains("No backend", error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < PromptRefusal, $"the refusal took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_connect_to_a_namespace_without_any_backend_gets_connect_error_promptly(string version)
    {
        await using var cluster = TestCluster.Create("be-none");
        var distributor = await cluster.StartDistributorAsync(["/custom"]);
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        var clock = Stopwatch.StartNew();
        var error = await clients.TryConnectAsync("a", distributor.Url, "/custom", timeout: TimeSpan.FromSeconds(10));
        Assert.NotNull(error);
        Assert.Contains("No backend is serving namespace /custom", error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < PromptRefusal, $"the refusal took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("v4", "crash")]
    [InlineData("v2", "crash")]
    [InlineData("v4", "stop")]
    [InlineData("v2", "stop")]
    public async Task When_one_of_two_backends_dies_its_sockets_move_to_the_other_and_stay_connected(string version, string death)
    {
        await using var cluster = TestCluster.Create("be-move");
        var distributor = await cluster.StartDistributorAsync(Namespaces);

        // The victim alone first, so that every socket lands on it.
        await using var victim = await Victim.StartAsync(cluster, death, output);
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        await clients.ConnectAsync("a", distributor.Url, "/");
        await clients.ConnectAsync("b", distributor.Url, "/custom");
        Assert.Equal("before", (await RoundTripAsync(clients, "a", "before")).String(0));
        await RoundTripAsync(clients, "b", "before");

        var survivor = new RecordingBackend("survivor");
        await cluster.StartBackendAsync(backend => survivor.Serve(backend, Namespaces));
        await cluster.WaitForBackendsAsync(distributor, 2);
        Assert.Empty(survivor.Connections);

        var clock = Stopwatch.StartNew();
        await victim.DieAsync();
        await Eventually.TrueAsync(
            () => survivor.Connections.Count(c => c.Recovered) == 2,
            $"the survivor took over both sockets (its connections: {string.Join(", ", survivor.Connections)})",
            DetectionLimit);
        output.WriteLine($"{death}: sockets moved {clock.ElapsedMilliseconds} ms after the backend died");
        Assert.Equal(["/", "/custom"], survivor.Connections.Select(c => c.Namespace).Order(StringComparer.Ordinal));
        Assert.All(survivor.Connections, c => Assert.True(c.Recovered, $"{c.SocketId} was not marked recovered"));

        // Still connected, and the next events are handled by the survivor.
        var afterA = await RoundTripAsync(clients, "a", "after");
        var afterB = await RoundTripAsync(clients, "b", "after");
        Assert.Equal("survivor", afterA.String(1));
        Assert.Equal("survivor", afterB.String(1));
        Assert.Equal(0, clients.Count("a", "$disconnect"));
        Assert.Equal(0, clients.Count("b", "$disconnect"));
        Assert.Empty(survivor.Disconnects);
    }

    private static async Task<DriverEvent> RoundTripAsync(NodeClientDriver clients, string name, string text)
    {
        await clients.EmitAsync(name, "message", text);
        return await clients.WaitForEventAsync(name, "message-back", e => e.String(0) == text);
    }

    /// <summary>The backend that dies: a SocketIOEcho process to kill, or an in-process backend to stop.</summary>
    private sealed class Victim : IAsyncDisposable
    {
        private EchoProcess? _process;
        private Backend.SocketIOBackend? _backend;

        public static async Task<Victim> StartAsync(TestCluster cluster, string death, ITestOutputHelper output)
        {
            var victim = new Victim();
            if (death == "crash")
            {
                victim._process = await EchoProcess.StartAsync(cluster, "backend", output);
            }
            else
            {
                victim._backend = await cluster.StartBackendAsync(b => new RecordingBackend("victim").Serve(b, Namespaces));
            }

            return victim;
        }

        public async Task DieAsync()
        {
            if (_process is not null)
            {
                await _process.KillAsync();
            }
            else
            {
                await _backend!.StopAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_process is not null)
            {
                await _process.DisposeAsync();
            }
        }
    }
}
