using System.Collections.Concurrent;
using System.Text.Json;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Api;

/// <summary>
/// socket.io's per-socket API on a backend socket, driven by real clients: <c>use</c> (per-packet middleware),
/// error acks with a code, <c>once</c>, <c>off</c>, <c>prependAny</c>/<c>offAny</c>, <c>onAnyOutgoing</c>, and
/// <c>disconnecting</c> with the rooms still readable.
/// </summary>
public sealed class SocketListenerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Packet_middleware_refuses_events_with_coded_error_acks_and_rpc_handlers_answer_errors(string version)
    {
        var errors = new ConcurrentQueue<string>();
        var handled = new ConcurrentQueue<string>();
        await using var cluster = await ApiCluster.StartAsync("api-socket-use", chat: nsp => nsp.OnConnection(socket =>
        {
            socket.Use(async (e, next) =>
            {
                if (e.Name == "forbidden")
                {
                    throw new SocketIOException("not allowed", "FORBIDDEN", new { @event = e.Name });
                }

                if (e.Name == "boom")
                {
                    throw new InvalidOperationException("a secret that stays on the server");
                }

                if (e.Name != "dropped")
                {
                    await next();
                }
            });
            socket.OnError(ex => errors.Enqueue(ex.Message));
            foreach (var ev in new[] { "forbidden", "boom", "dropped" })
            {
                socket.On(ev, e => handled.Enqueue(e.Name));
            }

            socket.On("allowed", e => e.Ack("passed"));
            socket.On("rpc", e => e.AckError("bad input", "E_INPUT", new { field = "name" }));
            socket.OnAsync<JsonElement, string>("rpc-async", _ => throw new SocketIOException("denied", "E_DENIED"));
        }));
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        await cluster.ConnectAsync(clients, "c", cluster.D2);

        var forbidden = Assert.Single(await clients.EmitWithAckAsync("c", "forbidden", []));
        Assert.Equal("""{"message":"not allowed","code":"FORBIDDEN","data":{"event":"forbidden"}}""", forbidden.GetRawText());
        Assert.Equal("""{"message":"Internal server error"}""", Assert.Single(await clients.EmitWithAckAsync("c", "boom", [])).GetRawText());
        await clients.EmitAsync("c", "dropped");
        Assert.Equal("passed", (await clients.EmitWithAckAsync("c", "allowed", []))[0].GetString());
        Assert.Equal("""{"message":"bad input","code":"E_INPUT","data":{"field":"name"}}""", Assert.Single(await clients.EmitWithAckAsync("c", "rpc", [])).GetRawText());
        Assert.Equal("""{"message":"denied","code":"E_DENIED"}""", Assert.Single(await clients.EmitWithAckAsync("c", "rpc-async", [new { }])).GetRawText());

        Assert.Empty(handled); // "dropped" came before "allowed", which was answered
        Assert.Equal(["not allowed", "a secret that stays on the server"], errors);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_namespace_middleware_refusal_carries_message_and_data(string version)
    {
        await using var cluster = await ApiCluster.StartAsync("api-connect-error", chat: nsp => nsp.Use((socket, next) =>
            socket.Handshake.Auth.TryGetProperty("banned", out _)
                ? throw new SocketIOException("banned", "E_BANNED", new { retryInSeconds = 60 })
                : next()));
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        Assert.Equal("banned", await clients.TryConnectAsync("x", cluster.D1.Url, ApiCluster.Chat, auth: new { banned = "yes" }));
        var error = await clients.WaitForEventAsync("x", "$connect_error");
        if (version == "v4")
        {
            Assert.Equal(60, error.Line.GetProperty("data").GetProperty("retryInSeconds").GetInt32());
        }

        Assert.Null(await clients.TryConnectAsync("ok", cluster.D1.Url, ApiCluster.Chat, auth: new { name = "ok" }));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Once_off_prepend_any_off_any_outgoing_and_disconnecting_behave_as_in_socket_io(string version)
    {
        var log = new ConcurrentQueue<string>();
        var counts = new ConcurrentDictionary<string, int>();
        await using var cluster = await ApiCluster.StartAsync("api-socket-listeners", chat: nsp => nsp.OnConnection(socket =>
        {
            void Count(string what) => counts.AddOrUpdate(what, 1, (_, n) => n + 1);
            Action<SocketEvent> anyListener = e => log.Enqueue("any:" + e.Name);
            Action<SocketEvent> removable = e => Count("removable");
            socket.OnAny(anyListener);
            socket.PrependAny(e => log.Enqueue("first:" + e.Name));
            socket.Once("once", e => Count("once"));
            socket.On("removable", removable);
            socket.On("removable", e => Count("kept"));
            socket.On("off", e =>
            {
                socket.Off("removable", removable);
                socket.OffAny(anyListener);
                e.Ack("off");
            });
            socket.On("marker", e => e.Ack(counts.GetValueOrDefault("once"), counts.GetValueOrDefault("removable"), counts.GetValueOrDefault("kept")));
            socket.OnAnyOutgoing((ev, args) => log.Enqueue($"out:{ev}:{args.Length}"));
            socket.PrependAnyOutgoing((ev, _) => log.Enqueue("out-first:" + ev));
            socket.On("poke", e =>
            {
                socket.Emit("poked", 1, 2);
                e.Ack("ok");
            });
            socket.OnDisconnecting(reason => log.Enqueue($"disconnecting:{reason}:{string.Join(",", socket.Rooms.Where(r => r != socket.Id).Order(StringComparer.Ordinal))}"));
            socket.OnDisconnect(reason => log.Enqueue("disconnect:" + reason));
        }));
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var socket = await cluster.ConnectAsync(clients, "c", cluster.D1);
        await socket.JoinAsync("red", "blue");

        await clients.EmitAsync("c", "once");
        await clients.EmitAsync("c", "once");
        await clients.EmitAsync("c", "removable");
        Assert.Equal([1, 1, 1], (await clients.EmitWithAckAsync("c", "marker", [])).Select(a => a.GetInt32()));
        Assert.Equal("off", (await clients.EmitWithAckAsync("c", "off", []))[0].GetString());
        await clients.EmitAsync("c", "removable");
        Assert.Equal([1, 1, 2], (await clients.EmitWithAckAsync("c", "marker", [])).Select(a => a.GetInt32()));

        Assert.Equal("ok", (await clients.EmitWithAckAsync("c", "poke", []))[0].GetString());
        Assert.Equal([1, 2], (await clients.WaitForEventAsync("c", "poked")).Args.Select(a => a.GetInt32()));

        await clients.DisconnectAsync("c");
        await Eventually.TrueAsync(() => log.Any(l => l.StartsWith("disconnect:", StringComparison.Ordinal)), "the disconnect handler ran");

        var lines = log.ToList();
        output.WriteLine(string.Join(Environment.NewLine, lines));
        Assert.Equal(["first:once", "any:once", "first:once", "any:once"], lines.Take(4));
        Assert.Contains("first:removable", lines.Skip(4));
        Assert.Equal(2, lines.Count(l => l == "any:removable" || l == "any:marker")); // before the "off"; none after
        Assert.Equal(2, lines.Count(l => l == "first:marker"));
        Assert.Equal(["out-first:poked", "out:poked:2"], lines.Where(l => l.StartsWith("out", StringComparison.Ordinal)));
        Assert.Equal(["disconnecting:client namespace disconnect:blue,red", "disconnect:client namespace disconnect"], lines.TakeLast(2));
    }
}
