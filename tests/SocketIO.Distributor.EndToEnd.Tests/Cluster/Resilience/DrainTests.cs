using System.Diagnostics;
using System.Net;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Health endpoints and draining (rolling deploys): <c>/healthz</c> and <c>/readyz</c> over real HTTP;
/// a distributor told to drain turns not-ready at once, refuses new handshakes with 503, and closes
/// its sessions over the window with a transport close, which real socket.io-client v4 clients see as
/// <c>transport close</c> (a reason they reconnect from) and then connect to the other distributor.
/// </summary>
public sealed class DrainTests(ITestOutputHelper output)
{
    private const int Clients = 4;

    private static Garnet.GarnetServer StartGarnet(int port)
    {
        var server = new Garnet.GarnetServer(new Garnet.server.GarnetServerOptions
        {
            EndPoints = [new IPEndPoint(IPAddress.Loopback, port)],
            QuietMode = true,
        });
        server.Start();
        return server;
    }

    [Fact]
    public async Task Healthz_and_readyz_answer_200_on_a_registered_distributor()
    {
        await using var cluster = TestCluster.Create("health");
        var distributor = await cluster.StartDistributorAsync(["/chat"]);
        using var http = new HttpClient { BaseAddress = distributor.Host.BaseUri };

        await Eventually.TrueAsync(() => distributor.Distributor.IsReady, "the distributor is registered");
        var live = await http.GetAsync("/healthz");
        var ready = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.StartsWith("Healthy", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_turns_503_while_Redis_is_unreachable_and_200_again_once_it_is_back()
    {
        // A RESP server of this test's own, so it can be stopped and restarted on the same port.
        var port = TestRedis.FreePort();
        var garnet = StartGarnet(port);
        try
        {
            await using var cluster = TestCluster.Create("readyz-redis");
            var distributor = await cluster.StartDistributorAsync(["/chat"], o => o.Bus.Redis = $"127.0.0.1:{port}");
            using var http = new HttpClient { BaseAddress = distributor.Host.BaseUri };
            await Eventually.TrueAsync(() => distributor.Distributor.IsReady, "the distributor is registered");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

            garnet.Dispose();
            await Eventually.TrueAsync(() => !distributor.Distributor.IsReady, "the distributor notices that Redis is gone");
            var down = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Contains("Redis is not reachable", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

            // Back on the same port (empty): the distributor reconnects and registers again.
            garnet = StartGarnet(port);
            await Eventually.TrueAsync(() => distributor.Distributor.IsReady, "the distributor is ready again after Redis came back");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        }
        finally
        {
            garnet.Dispose();
        }
    }

    [Fact]
    public async Task A_draining_distributor_refuses_new_clients_and_its_clients_move_to_the_other_one()
    {
        var window = TimeSpan.FromSeconds(2);
        await using var cluster = TestCluster.Create("drain");
        await cluster.StartBackendAsync(backend =>
            backend.Of("/chat").OnConnection(socket => socket.On("ping", e => e.Ack("pong"))));
        var draining = await cluster.StartDistributorAsync(["/chat"], o => o.DrainWindow = window);
        var other = await cluster.StartDistributorAsync(["/chat"]);
        using var http = new HttpClient();
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        for (var i = 0; i < Clients; i++)
        {
            // One long-polling client: its pending poll ends with a close packet, also a transport close.
            await clients.ConnectAsync($"c{i}", draining.Url, "/chat", transports: i == 0 ? ["polling"] : null);
        }

        var started = Stopwatch.StartNew();
        var drain = draining.Distributor.DrainAsync();

        // Not ready at once, and new handshakes are refused with a reason, while the sessions close over the window.
        Assert.False(draining.Distributor.IsReady);
        var readyz = await http.GetAsync($"{draining.Url}/readyz");
        var handshake = await http.GetAsync($"{draining.Url}/socket.io/?EIO=4&transport=polling");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Contains("draining", await readyz.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, handshake.StatusCode);
        Assert.Contains("draining", await handshake.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(await clients.TryConnectAsync("refused", draining.Url, "/chat"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{other.Url}/readyz")).StatusCode);

        await drain.WithTimeout("the drain", window + Eventually.DefaultTimeout);
        var drainTook = started.Elapsed;
        for (var i = 0; i < Clients; i++)
        {
            // A transport close, which clients reconnect from; never "io server disconnect", which they do not.
            Assert.Equal("transport close", (await clients.WaitForDisconnectAsync($"c{i}")).Reason);
        }

        // Spread over the window: 4 rounds, the last one 3/4 of the window after the first.
        Assert.True(drainTook >= window * 0.75 - TimeSpan.FromMilliseconds(50), $"the drain took {drainTook}, less than 3/4 of {window}");
        Assert.Equal(0, draining.Distributor.Server.Engine.SessionCount);

        // The balancer (here: the test) sends them to the other distributor, where they work.
        for (var i = 0; i < Clients; i++)
        {
            await clients.ConnectAsync($"c{i}", other.Url, "/chat");
            Assert.Equal("pong", (await clients.EmitWithAckAsync($"c{i}", "ping", []))[0].GetString());
        }

        Assert.Equal(Clients, other.Distributor.Server.Engine.SessionCount);
    }
}
