using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.SocketIO;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// The backend decides a connection: its middleware's refusal reaches the client as connect_error; the
/// distributor's own middleware can refuse first; no backend, or no answer in time, is a connect_error
/// too; and the backend sees the client's handshake, the forwarded headers and the distributor hook's data.
/// </summary>
public sealed class ConnectTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_backend_middleware_refusal_reaches_the_client_as_connect_error(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-connect-refused", chat: nsp => nsp.Use(async (socket, next) =>
        {
            if (!socket.Handshake.Auth.TryGetProperty("token", out var token) || token.GetString() != "secret")
            {
                throw new ConnectionRejectedException("not authorized", new { code = 4031 });
            }

            await next();
        }));
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        Assert.Equal("not authorized", await clients.TryConnectAsync("intruder", cluster.D1.Url, RoutingCluster.Chat, auth: new { token = "guess" }));
        var error = await clients.WaitForEventAsync("intruder", "$connect_error");
        if (version == "v4")
        {
            Assert.Equal(4031, error.Line.GetProperty("data").GetProperty("code").GetInt32());
        }

        Assert.Null(await clients.TryConnectAsync("friend", cluster.D2.Url, RoutingCluster.Chat, auth: new { token = "secret" }));
        Assert.Equal(0, cluster.D1.Distributor.SocketCounts().GetValueOrDefault(RoutingCluster.Chat));
        Assert.Equal(1, cluster.D2.Distributor.SocketCounts().GetValueOrDefault(RoutingCluster.Chat));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_distributor_middleware_refuses_before_any_backend_is_asked(string version)
    {
        await using var cluster = await RoutingCluster.StartAsync("route-connect-dist-mw", configure: options =>
            options.Middleware.Add(socket =>
                ValueTask.FromResult<ConnectDecision?>(socket.Namespace == RoutingCluster.Game ? ConnectDecision.Reject("game is closed") : null)));
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        var requestsBefore = cluster.D1.Distributor.Statistics.ConnectRequestsSent;
        Assert.Equal("game is closed", await clients.TryConnectAsync("player", cluster.D1.Url, RoutingCluster.Game));
        Assert.Equal(requestsBefore, cluster.D1.Distributor.Statistics.ConnectRequestsSent);
        Assert.Empty(cluster.GameNsp.Sockets);

        await clients.ConnectAsync("chatter", cluster.D1.Url, RoutingCluster.Chat);
        Assert.Equal(requestsBefore + 1, cluster.D1.Distributor.Statistics.ConnectRequestsSent);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_namespace_without_a_live_backend_is_refused_promptly_naming_the_namespace(string version)
    {
        var connectTimeout = TimeSpan.FromSeconds(2);
        await using var cluster = await RoutingCluster.StartAsync("route-connect-nobody", configure: options =>
        {
            options.Namespaces = [.. options.Namespaces, "/nobody"];
            options.BackendConnectTimeout = connectTimeout;
        });
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        var started = Stopwatch.GetTimestamp();
        var error = await clients.TryConnectAsync("lost", cluster.D2.Url, "/nobody", timeout: TimeSpan.FromSeconds(10));
        Assert.NotNull(error);
        Assert.Contains("/nobody", error, StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(started) < connectTimeout + TimeSpan.FromSeconds(1), $"refused after {Stopwatch.GetElapsedTime(started)}");
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_backend_that_does_not_answer_makes_the_connect_fail_after_BackendConnectTimeout(string version)
    {
        var connectTimeout = TimeSpan.FromSeconds(1);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var cluster = await RoutingCluster.StartAsync(
            "route-connect-timeout",
            chat: nsp => nsp.Use(async (_, next) =>
            {
                await release.Task;
                await next();
            }),
            configure: options => options.BackendConnectTimeout = connectTimeout);
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        var started = Stopwatch.GetTimestamp();
        var error = await clients.TryConnectAsync("waiting", cluster.D1.Url, RoutingCluster.Chat, timeout: TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.NotNull(error);
        Assert.Contains(RoutingCluster.Chat, error, StringComparison.Ordinal);
        Assert.InRange(elapsed, connectTimeout - TimeSpan.FromMilliseconds(200), connectTimeout + TimeSpan.FromSeconds(3));

        // The backend's middleware lets the connection through too late: the backend must not keep a
        // socket the distributor already refused.
        release.SetResult();
        await Eventually.TrueAsync(() => cluster.ChatNsp.Sockets.Count == 0, "the late-accepted socket is gone from the backend", TimeSpan.FromSeconds(5));
        Assert.Equal(0, cluster.D1.Distributor.SocketCounts().GetValueOrDefault(RoutingCluster.Chat));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task The_backend_sees_the_clients_credentials_the_forwarded_headers_and_the_hooks_extra(string version)
    {
        var seen = new ConcurrentDictionary<string, SocketHandshake>();
        await using var cluster = await RoutingCluster.StartAsync(
            "route-connect-handshake",
            chat: nsp => nsp.Use(async (socket, next) =>
            {
                seen[socket.Id] = socket.Handshake;
                await next();
            }),
            configure: options => options.OnClientConnect = socket =>
                ValueTask.FromResult<object?>(new { tenant = "acme", nsp = socket.Namespace }));
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        await clients.ConnectAsync("c", cluster.D2.Url, RoutingCluster.Chat, auth: new { token = "abc", user = "ann" });
        var (sid, handshake) = Assert.Single(seen);

        // v2 sends its credentials as the namespace's query string, which the distributor presents as the auth;
        // it also puts them in the Engine.IO handshake's query.
        Assert.Equal("abc", handshake.Auth.GetProperty("token").GetString());
        Assert.Equal("ann", handshake.Auth.GetProperty("user").GetString());
        if (version == "v2")
        {
            Assert.Equal("abc", handshake.Query.GetValueOrDefault("token"));
        }

        Assert.Equal(new Uri(cluster.D2.Url).Authority, handshake.Headers.GetValueOrDefault("host"));
        Assert.Contains("127.0.0.1", handshake.Address, StringComparison.Ordinal);
        Assert.NotNull(handshake.Extra);
        Assert.Equal("acme", handshake.Extra.Value.GetProperty("tenant").GetString());
        Assert.Equal(RoutingCluster.Chat, handshake.Extra.Value.GetProperty("nsp").GetString());
        Assert.Equal(cluster.D2.Distributor.Id, cluster.ChatNsp.Sockets[sid].DistributorId);
    }

    [Fact]
    public async Task The_backend_sees_SocketIOClient_auth_and_only_the_allowed_custom_headers()
    {
        var seen = new ConcurrentDictionary<string, SocketHandshake>();
        await using var cluster = await RoutingCluster.StartAsync(
            "route-connect-headers",
            chat: nsp => nsp.Use(async (socket, next) =>
            {
                seen[socket.Id] = socket.Handshake;
                await next();
            }),
            configure: options =>
            {
                options.ForwardedHeaders = [.. options.ForwardedHeaders, "x-tenant"];
                options.OnClientConnect = _ => ValueTask.FromResult<object?>(new[] { 1, 2 });
            });
        await using var client = new DotNetSocket(
            cluster.D1.Url,
            RoutingCluster.Chat,
            [],
            auth: new Dictionary<string, string> { ["token"] = "net" },
            extraHeaders: new Dictionary<string, string> { ["x-tenant"] = "acme", ["x-secret"] = "hidden" });
        await client.ConnectAsync();

        var handshake = seen[client.Id];
        Assert.Equal("net", handshake.Auth.GetProperty("token").GetString());
        Assert.Equal("acme", handshake.Headers.GetValueOrDefault("x-tenant"));
        Assert.False(handshake.Headers.ContainsKey("x-secret"), "a header not in ForwardedHeaders was forwarded");
        Assert.Equal("[1,2]", handshake.Extra?.GetRawText());
    }
}
