using System.Text.Json;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Api;

/// <summary>
/// Dynamic namespaces (socket.io's <c>io.of(/regex/)</c> and <c>io.of(fn)</c>) on two replicas behind two distributors:
/// distributors learn the patterns from the backends' membership records and relay matching names; a child namespace
/// inherits the parent's middleware and handlers, and its broadcasts reach its sockets on both distributors.
/// </summary>
public sealed partial class DynamicNamespaceTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"^/game-\d+$")]
    private static partial Regex GameNames();

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Regex_and_function_namespaces_are_created_on_demand_across_distributors_and_replicas(string version)
    {
        var parents = new Dictionary<string, ParentNamespace>();
        await using var cluster = await ApiCluster.StartAsync("api-dynamic", chat: nsp =>
        {
            var backend = nsp.Backend;
            var games = backend.Of(GameNames())
                .Use((socket, next) => socket.Handshake.Auth.TryGetProperty("banned", out _) ? throw new SocketIOException("banned", "E_BANNED") : next())
                .OnConnection(socket =>
                {
                    socket.On("where", e => e.Ack(socket.Namespace.Name, socket.Namespace.Parent is not null));
                    socket.On("shout", e => socket.Namespace.Emit("shouted", e.Arguments));
                });
            var functions = backend.Of((name, auth) => name.StartsWith("/fn-", StringComparison.Ordinal) && auth.TryGetProperty("token", out _))
                .OnConnection(socket => socket.On("where", e => e.Ack(socket.Namespace.Name)));
            lock (parents)
            {
                parents[backend.Id + "games"] = games;
                parents[backend.Id + "fn"] = functions;
            }
        });
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var layout = new (string Name, DistributorHost At, string Nsp)[]
        {
            ("g1-d1", cluster.D1, "/game-1"),
            ("g1-d2", cluster.D2, "/game-1"),
            ("g22-d2", cluster.D2, "/game-22"),
        };
        foreach (var (name, at, nsp) in layout)
        {
            await clients.ConnectAsync(name, at.Url, nsp, auth: new Dictionary<string, object?> { ["name"] = name });
        }

        var where = await clients.EmitWithAckAsync("g1-d2", "where", []);
        Assert.Equal("/game-1", where[0].GetString());
        Assert.True(where[1].GetBoolean());

        // Not matching, refused by the inherited middleware, refused by the function: CONNECT_ERROR each.
        Assert.NotNull(await clients.TryConnectAsync("no-match", cluster.D1.Url, "/games-1", auth: new { name = "x" }));
        Assert.Equal("banned", await clients.TryConnectAsync("banned", cluster.D2.Url, "/game-3", auth: new { banned = true }));
        Assert.NotNull(await clients.TryConnectAsync("fn-no-token", cluster.D1.Url, "/fn-a", auth: new { name = "y" }));
        // Refused names do not pile up on the distributor: each is forgotten once refused.
        var before = cluster.D1.Distributor.SocketCounts().Count;
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(await clients.TryConnectAsync($"random-{i}", cluster.D1.Url, $"/random-{i}", auth: new { name = "z" }));
        }

        Assert.Equal(before, cluster.D1.Distributor.SocketCounts().Count);
        Assert.DoesNotContain("/games-1", cluster.D1.Distributor.SocketCounts().Keys);
        await clients.ConnectAsync("fn", cluster.D1.Url, "/fn-a", auth: new { token = "t" });
        Assert.Equal("/fn-a", (await clients.EmitWithAckAsync("fn", "where", []))[0].GetString());

        // A child's broadcast reaches its sockets on both distributors, not another child's.
        await clients.EmitAsync("g1-d1", "shout", "hi game 1");
        Assert.Equal("hi game 1", (await clients.WaitForEventAsync("g1-d1", "shouted")).String(0));
        Assert.Equal("hi game 1", (await clients.WaitForEventAsync("g1-d2", "shouted")).String(0));

        // A parent's emit reaches every child its backend created.
        var games = parents[cluster.B1.Id + "games"];
        var children = games.Children.Select(c => c.Name).ToHashSet();
        output.WriteLine($"B1 created {string.Join(", ", children)}");
        games.Emit("to-children");
        cluster.Nsp1.Emit("unrelated");
        foreach (var (name, _, nsp) in layout.Where(l => children.Contains(l.Nsp)))
        {
            await clients.WaitForEventAsync(name, "to-children");
        }

        await clients.EmitAsync("g22-d2", "shout", "marker");
        await clients.WaitForEventAsync("g22-d2", "shouted", e => e.String(0) == "marker");
        Assert.Equal(0, clients.Count("g22-d2", "shouted") - 1);
        foreach (var (name, _, nsp) in layout)
        {
            Assert.Equal(children.Contains(nsp) ? 1 : 0, clients.Count(name, "to-children"));
        }
    }
}
