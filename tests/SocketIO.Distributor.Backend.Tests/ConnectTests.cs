using System.Text.Json;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class ConnectTests
{
    [Fact]
    public async Task Accepted_connection_is_answered_registered_and_carries_the_handshake()
    {
        BackendSocket? connected = null;
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat")
            .Use((socket, next) => next())
            .OnConnection(socket => connected = socket));

        h.D1.Connect(h.Backend.Id, "s1", "/chat", Handshakes.WithAuth("""{"token":"abc"}""", """{"user":"ann"}"""));
        var result = await h.D1.NextAsync<ConnectResult>();

        Assert.True(result.Accepted);
        Assert.Equal("s1", result.SocketId);
        Assert.Equal("b1", result.BackendId);
        await Eventually.TrueAsync(() => connected is not null, "OnConnection runs");
        Assert.Same(connected, h.Backend.Of("/chat").Sockets["s1"]);
        Assert.True(connected!.Connected);
        Assert.Equal("d1", connected.DistributorId);
        Assert.Equal("abc", connected.Handshake.Auth.GetProperty("token").GetString());
        Assert.Equal("lobby", connected.Handshake.Query["room"]);
        Assert.Equal("test", connected.Handshake.Headers["User-Agent"]);
        Assert.Equal("10.1.2.3", connected.Handshake.Address);
        Assert.True(connected.Handshake.Secure);
        Assert.Equal(1700000000000, connected.Handshake.Issued);
        Assert.Equal("ann", connected.Handshake.Extra!.Value.GetProperty("user").GetString());
        Assert.Equal(["s1"], connected.Rooms);
    }

    [Fact]
    public async Task Middleware_rejection_sends_its_message_and_data()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/")
            .Use((socket, next) => socket.Handshake.Auth.TryGetProperty("token", out _)
                ? next()
                : throw new ConnectionRejectedException("not authorized", new { code = 42 })));

        h.D1.Connect(h.Backend.Id, "s1");
        var result = await h.D1.NextAsync<ConnectResult>();

        Assert.False(result.Accepted);
        Assert.Equal("""{"message":"not authorized","data":{"code":42}}""", BackendHarness.ErrorText(result));
        Assert.Empty(h.Backend.Of("/").Sockets);
    }

    [Fact]
    public async Task Rejection_without_data_omits_data()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").Use((_, _) => throw new ConnectionRejectedException("full")));

        h.D1.Connect(h.Backend.Id, "s1");

        Assert.Equal("""{"message":"full"}""", BackendHarness.ErrorText(await h.D1.NextAsync<ConnectResult>()));
    }

    [Fact]
    public async Task Failing_middleware_rejects_with_internal_error_and_logs()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").Use((_, _) => throw new InvalidOperationException("boom")));

        h.D1.Connect(h.Backend.Id, "s1");

        Assert.Equal("""{"message":"Internal error"}""", BackendHarness.ErrorText(await h.D1.NextAsync<ConnectResult>()));
        Assert.Contains(h.Logs.Errors, e => e.EventId == 4030 && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Middleware_runs_in_order_and_may_stop_without_next()
    {
        var order = new List<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/")
            .Use(async (_, next) =>
            {
                order.Add("first");
                await next();
            })
            .Use((_, _) =>
            {
                order.Add("second");
                return Task.CompletedTask;
            }));

        h.D1.Connect(h.Backend.Id, "s1");

        Assert.False((await h.D1.NextAsync<ConnectResult>()).Accepted);
        Assert.Equal(["first", "second"], order);
        Assert.True(h.Logs.Has(4015));
    }

    [Fact]
    public async Task Unknown_namespace_is_rejected_as_invalid_namespace()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat"));

        h.D1.Connect(h.Backend.Id, "s1", "/other");

        Assert.Equal("""{"message":"Invalid namespace"}""", BackendHarness.ErrorText(await h.D1.NextAsync<ConnectResult>()));
    }

    [Fact]
    public async Task Closed_namespace_disconnects_its_sockets_and_refuses_new_ones()
    {
        var reasons = new List<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/chat").OnConnection(s => s.OnDisconnect(reasons.Add)));
        var socket = await h.ConnectAsync("s1", "/chat");

        await h.Backend.Of("/chat").CloseAsync().WithTimeout("close");

        Assert.Equal(["server namespace disconnect"], reasons);
        Assert.False(socket.Connected);
        var command = await h.D1.NextAsync<SocketCommand>();
        Assert.Equal(SocketCommandKind.Disconnect, command.Kind);
        h.D1.Connect(h.Backend.Id, "s2", "/chat");
        Assert.False((await h.D1.NextAsync<ConnectResult>(r => r.SocketId == "s2")).Accepted);
    }

    [Fact]
    public async Task Emits_of_connection_handlers_arrive_after_the_connect_result()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(async socket =>
        {
            socket.Emit("welcome", "hi");
            await Task.Yield();
            socket.Emit("second");
        }));

        h.D1.Connect(h.Backend.Id, "s1");
        await h.SentAsync("s1", "42[\"second\"");

        var inbox = h.D1.All.Where(r => r.Channel == h.D1.Channels.Distributor("d1")).Select(r => r.Message).ToList();
        Assert.IsType<ConnectResult>(inbox[0]);
        Assert.Equal(["42[\"welcome\",\"hi\"]"], BackendHarness.Text(((SendToSocket)inbox[1]).Frames));
        Assert.Equal(["42[\"second\"]"], BackendHarness.Text(((SendToSocket)inbox[2]).Frames));
    }

    [Fact]
    public async Task Recovered_socket_runs_middleware_and_connection_handlers_again()
    {
        var seen = new List<bool>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => seen.Add(s.Recovered)));

        h.D1.Connect(h.Backend.Id, "s1", recovered: true);

        Assert.True((await h.D1.NextAsync<ConnectResult>()).Accepted);
        await Eventually.TrueAsync(() => seen.Count == 1, "OnConnection runs");
        Assert.True(seen[0]);
    }

    [Fact]
    public async Task Unreadable_handshake_is_rejected()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));

        h.D1.Connect(h.Backend.Id, "s1", handshakeJson: "[1,2");

        var result = await h.D1.NextAsync<ConnectResult>();
        Assert.Equal("Invalid handshake", JsonDocument.Parse(result.ErrorJson).RootElement.GetProperty("message").GetString());
    }
}
