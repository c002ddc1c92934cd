using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// A message for one socket is published to the one distributor that holds it, and only that socket
/// receives it (the other clients, on both distributors, get nothing: checked after a marker broadcast).
/// </summary>
public sealed class DirectEmitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public Task Socket_emit_reaches_only_its_socket_through_its_distributor(string version) =>
        RunAsync(version, "route-direct", (_, socket) => socket.Emit("direct", "for you"));

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public Task Io_to_socket_id_reaches_only_its_socket_through_its_distributor(string version) =>
        RunAsync(version, "route-direct-to", (nsp, socket) => nsp.To(socket.Id).Emit("direct", "for you"));

    /// <summary>Sends one direct message to a socket on D1, then one to a socket on D2, and checks where each went.</summary>
    private async Task RunAsync(string version, string name, Action<BackendNamespace, BackendSocket> send)
    {
        await using var cluster = await RoutingCluster.StartAsync(name);
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var sockets = new Dictionary<string, BackendSocket>
        {
            ["a-d1"] = await cluster.ConnectAsync(clients, "a-d1", cluster.D1, RoutingCluster.Chat),
            ["c-d1"] = await cluster.ConnectAsync(clients, "c-d1", cluster.D1, RoutingCluster.Chat),
            ["b-d2"] = await cluster.ConnectAsync(clients, "b-d2", cluster.D2, RoutingCluster.Chat),
            ["d-d2"] = await cluster.ConnectAsync(clients, "d-d2", cluster.D2, RoutingCluster.Chat),
        };

        foreach (var (target, holder, other) in new[] { ("a-d1", cluster.D1, cluster.D2), ("b-d2", cluster.D2, cluster.D1) })
        {
            var holderBefore = holder.Distributor.Statistics.DirectMessagesReceived;
            var otherBefore = other.Distributor.Statistics.DirectMessagesReceived;
            var socket = sockets[target];
            Assert.Equal(holder.Distributor.Id, socket.DistributorId);

            send(cluster.ChatNsp, socket);
            Assert.Equal("for you", (await clients.WaitForEventAsync(target, "direct")).String(0));
            cluster.ChatNsp.Emit("marker");
            foreach (var client in sockets.Keys)
            {
                await clients.WaitForEventAsync(client, "marker");
            }

            Assert.Equal(1, holder.Distributor.Statistics.DirectMessagesReceived - holderBefore);
            Assert.Equal(0, other.Distributor.Statistics.DirectMessagesReceived - otherBefore);
        }

        foreach (var client in sockets.Keys)
        {
            Assert.True(
                clients.Count(client, "direct") == (client is "a-d1" or "b-d2" ? 1 : 0),
                $"{client} received \"direct\" {clients.Count(client, "direct")} times");
        }
    }
}
