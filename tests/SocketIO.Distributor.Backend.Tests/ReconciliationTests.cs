using System.Collections.Concurrent;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>The backend's side of reconciliation: inventories, packets for sockets it does not hold, idempotent recovery.</summary>
public sealed class ReconciliationTests
{
    [Fact]
    public async Task An_inventory_drops_the_sockets_it_does_not_list_and_the_backend_reports_the_listed_ones_it_does_not_hold()
    {
        var reasons = new ConcurrentDictionary<string, string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.OnDisconnect(r => reasons[s.Id] = r)), distributors: ["d1", "d2"]);
        await h.ConnectAsync("d1.a");
        await h.ConnectAsync("d1.b");
        await h.ConnectAsync("d2.c", via: h.D2);

        h.D1.Publish(h.Backend.Id, new SocketInventory("d1", [new SocketInventoryGroup("/", ["d1.a", "d1.x"])]));

        var unknown = await h.D1.NextAsync<SocketsUnknown>();
        Assert.Equal("b1", unknown.BackendId);
        Assert.Equal(["d1.x"], unknown.SocketIds);
        await Eventually.TrueAsync(() => reasons.ContainsKey("d1.b"), "the unlisted socket is disconnected");
        Assert.Equal("transport close", reasons["d1.b"]);
        Assert.Equal(["d1.a", "d2.c"], h.Backend.Of("/").Sockets.Keys.Order(StringComparer.Ordinal));

        // An empty inventory from d2 releases every socket of d2 and reports nothing.
        h.D2.Publish(h.Backend.Id, new SocketInventory("d2", []));
        await Eventually.TrueAsync(() => reasons.ContainsKey("d2.c"), "d2's socket is disconnected");
        Assert.Empty(h.D2.ReceivedOf<SocketsUnknown>());
    }

    [Fact]
    public async Task A_packet_for_a_socket_the_backend_does_not_hold_is_counted_as_lost_and_reported_once_per_batch()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));

        h.D1.SendPacket(h.Backend.Id, "d1.gone", "2[\"hello\"]");
        h.D1.SendPacket(h.Backend.Id, "d1.gone", "2[\"again\"]");
        h.D1.SendPacket(h.Backend.Id, "d1.other", "2[\"hello\"]");

        var unknown = await h.D1.NextAsync<SocketsUnknown>();
        Assert.Equal(["d1.gone", "d1.other"], unknown.SocketIds.Order(StringComparer.Ordinal));
        Assert.Equal(3, h.Backend.PacketsLost);
        Assert.Single(h.D1.ReceivedOf<SocketsUnknown>());
    }

    [Fact]
    public async Task A_recovery_connect_for_a_socket_already_held_is_accepted_without_running_the_connection_handler_again()
    {
        var connections = 0;
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(_ => Interlocked.Increment(ref connections)));
        await h.ConnectAsync("d1.a");
        Assert.Equal(1, connections);

        h.D1.Connect(h.Backend.Id, "d1.a", recovered: true);

        await Eventually.TrueAsync(() => h.D1.ReceivedOf<ConnectResult>().Count(r => r.SocketId == "d1.a") == 2, "the recovery connect is answered");
        Assert.All(h.D1.ReceivedOf<ConnectResult>(), r => Assert.True(r.Accepted));
        Assert.Equal(1, connections);
        Assert.Single(h.Backend.Of("/").Sockets);
    }

    [Fact]
    public async Task A_backend_that_finds_its_alive_key_gone_asks_every_distributor_for_its_inventory()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        await h.D1.WatchAsync(h.D1.Channels.All);

        // As if Redis had expired the key while the backend was paused.
        Assert.True(await h.D1.Bus.Database.KeyDeleteAsync(h.D1.Channels.Alive(MemberKind.Backend, h.Backend.Id)));

        var request = await h.D1.NextAsync<ReconcileRequest>();
        Assert.Equal("b1", request.BackendId);
        Assert.True(h.Backend.Membership.InGrace);
        await Eventually.TrueAsync(() => h.D1.Bus.Database.KeyExists(h.D1.Channels.Alive(MemberKind.Backend, h.Backend.Id)), "the backend registered again");
    }
}
