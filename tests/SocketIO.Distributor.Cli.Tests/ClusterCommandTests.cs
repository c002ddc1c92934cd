using System.Net;
using Garnet;
using Garnet.server;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// <c>siod</c> on a Redis Cluster: <c>--redis host1:port,host2:port</c> works for the distributor, emit and
/// status; <c>--pubsub</c> picks the pub/sub; <c>siod status</c> shows the mode and each master's slots and
/// live channels.
/// </summary>
public sealed class ClusterCommandTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Siod_on_a_cluster_given_two_of_its_nodes_serves_clients_over_sharded_pub_sub_and_status_shows_the_channels_per_master()
    {
        await using var redis = await RedisCluster.StartAsync(masters: 3);
        var twoNodes = $"127.0.0.1:{redis.Ports[0]},127.0.0.1:{redis.Ports[1]}";
        var prefix = TestRedis.NewPrefix("siodcluster");
        var url = $"http://127.0.0.1:{TestRedis.FreePort()}";
        var backendOptions = new BackendOptions();
        backendOptions.Bus.Redis = twoNodes;
        backendOptions.Bus.ChannelPrefix = prefix;
        await using var backend = new SocketIOBackend(backendOptions);
        backend.Of("/chat").OnConnection(socket => socket.On("hello", e => e.Ack("hi " + e.Arguments[0].GetString())));
        backend.Of("/game");
        await backend.StartAsync();

        await using var siod = SiodProcess.Start(
            "distributor", "--redis", twoNodes, "--prefix", prefix, "--namespaces", "/chat,/game", "--pubsub", "sharded",
            "--urls", url, "--heartbeat", "200", "--stats-interval", "0", "--drain-window", "0");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.TrueAsync(() => siod.HasExited || IsOk(http, $"{url}/readyz"), "siod distributor answers /readyz with 200", StartTimeout);
            Assert.False(siod.HasExited, $"siod distributor exited: {siod.Output}");
            await using var clients = await NodeClientDriver.StartAsync("v4", output);
            await clients.ConnectAsync("a", url, "/chat");
            Assert.Equal("hi cluster", (await clients.EmitWithAckAsync("a", "hello", ["cluster"]))[0].GetString());

            var emit = await Siod.RunAsync("emit", "--redis", twoNodes, "--prefix", prefix, "-n", "/chat", "news", "[\"from siod\"]");
            Assert.True(emit.ExitCode == 0, emit.ToString());
            Assert.Equal("from siod", (await clients.WaitForEventAsync("a", "news")).String(0));

            // What Redis itself says: the deployment's shard channels per master, and no classic channel.
            var expected = new Dictionary<int, int>();
            foreach (var master in await redis.MastersAsync())
            {
                expected[master.Port] = (await redis.ShardChannelsAsync(master.Port, prefix + ":*")).Count;
                Assert.Empty(await redis.ChannelsAsync(master.Port, prefix + ":*"));
            }

            var status = await Siod.RunAsync("status", "--redis", twoNodes, "--prefix", prefix);
            output.WriteLine(status.Stdout);
            Assert.True(status.ExitCode == 0, status.ToString());
            var lines = status.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal("Bus: sharded pub/sub on a Redis Cluster of 3 master(s).", lines[0]);
            Assert.StartsWith("MASTER", lines[1], StringComparison.Ordinal);
            var rows = lines.Skip(2).Take(3).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            Assert.Equal(16384, rows.Sum(r => int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture)));
            foreach (var row in rows)
            {
                var port = int.Parse(row[0].Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(expected[port], int.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture));
            }

            // The namespaces (2), the distributor's and the backend's inboxes, the all channel, spread over the masters.
            Assert.True(expected.Values.Sum() >= 5, $"{expected.Values.Sum()} shard channels");
            Assert.True(expected.Values.Count(c => c > 0) >= 2, "the channels are on one master only");
            Assert.Contains(lines, l => l.StartsWith("distributor ", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("backend ", StringComparison.Ordinal));
        }
        finally
        {
            siod.Terminate();
            await siod.WaitForExitAsync(TimeSpan.FromSeconds(20));
            output.WriteLine(siod.Output);
        }
    }

    [Fact]
    public async Task Siod_distributor_refuses_an_unknown_pubsub_and_forced_sharded_on_the_embedded_server_with_what_to_fix()
    {
        var port = TestRedis.FreePort();
        using var garnet = new GarnetServer(new GarnetServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, port)], QuietMode = true });
        garnet.Start();
        string[] common = ["distributor", "--redis", $"127.0.0.1:{port}", "--prefix", TestRedis.NewPrefix("siodpubsub"), "--namespaces", "/chat", "--urls", $"http://127.0.0.1:{TestRedis.FreePort()}"];

        var unknown = await Siod.RunAsync([.. common, "--pubsub", "fast"]);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("--pubsub must be auto, classic or sharded (got 'fast')", unknown.Stderr, StringComparison.Ordinal);

        var sharded = await Siod.RunAsync([.. common, "--pubsub", "sharded"]);
        Assert.True(sharded.ExitCode == 2, sharded.ToString());
        Assert.Contains("PubSubMode is Sharded", sharded.Stderr, StringComparison.Ordinal);
        Assert.Contains("--pubsub auto", sharded.Stderr, StringComparison.Ordinal);
    }

    private static bool IsOk(HttpClient http, string url)
    {
        try
        {
            // Eventually polls synchronously: a short blocking GET per try, bounded by the client's timeout.
            using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
