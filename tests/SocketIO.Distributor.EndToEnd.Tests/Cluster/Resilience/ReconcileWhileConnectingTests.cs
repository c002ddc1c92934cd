using System.Diagnostics;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing.Node;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Reconciliation must not drop a socket that is still connecting. A backend asks for every
/// distributor's inventory when its grace period ends, often while clients connect (a CI run's
/// 1,000-client recovery test lost one socket this way: the distributor listed its sockets, a socket
/// registered and its CONNECT was published, then the older list was published and the backend
/// dropped the socket as a ghost). The list is now taken in order with the CONNECTs on the backend's
/// inbox. Here a backend asks for inventories every few milliseconds while 400 real clients connect.
/// </summary>
public sealed class ReconcileWhileConnectingTests(ITestOutputHelper output)
{
    private const int Clients = 400;

    [Fact]
    public async Task Sockets_connecting_while_the_backend_reconciles_are_never_dropped_as_ghosts()
    {
        await using var cluster = TestCluster.Create("reconcile-connecting");
        var recorder = new RecordingBackend("b");
        var backend = await cluster.StartBackendAsync(b => recorder.Serve(b, "/"));
        var distributor = await cluster.StartDistributorAsync(["/"]);
        await cluster.WaitForBackendsAsync(distributor, 1);

        var channels = new BusChannels(cluster.Prefix);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var requests = 0;
        var asking = Task.Run(async () =>
        {
            var request = new ReconcileRequest(backend.Id).Encode();
            var all = RedisCluster.TestChannels.Of(distributor, channels.All);
            for (; requests < 20_000 && !stop.IsCancellationRequested; requests++)
            {
                await redis.GetSubscriber().PublishAsync(all, request);
                await Task.Delay(2, CancellationToken.None);
            }
        });

        var clock = Stopwatch.StartNew();
        await using (var load = await RecoveryLoad.StartAsync(distributor.Url, "/", Clients, output, TimeSpan.FromSeconds(60)))
        {
            await stop.CancelAsync();
            await asking;
            var inventories = distributor.Distributor.Statistics.InventoriesSent;
            output.WriteLine($"{Clients} clients connected in {clock.ElapsedMilliseconds} ms while the backend asked {requests} times; {inventories} inventories sent; the backend holds {backend.Of("/").Sockets.Count} sockets, dropped {recorder.Disconnects.Count}");

            // The asking overlapped the connecting: many inventories were built while sockets were being registered.
            Assert.True(inventories >= 20, $"only {inventories} inventories were sent while the clients connected");
            Assert.Empty(recorder.Disconnects);
            Assert.Equal(Clients, recorder.Connections.Count);
            Assert.Equal(Clients, backend.Of("/").Sockets.Count);
        }
    }
}
