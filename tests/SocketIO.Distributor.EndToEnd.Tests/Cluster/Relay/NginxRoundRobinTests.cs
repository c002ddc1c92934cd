using System.Diagnostics;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Nginx;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Relay;

/// <summary>
/// The deployment users try first: three distributors behind a plain round-robin nginx (no ip_hash).
/// Every request of a session may land on any distributor; all clients must connect, stay connected
/// and receive every message.
/// </summary>
public sealed class NginxRoundRobinTests(ITestOutputHelper output)
{
    private const int PerKind = 10;
    private const int MinBroadcasts = 20;
    private const int MaxBroadcasts = 200;
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromMilliseconds(1000);

    /// <summary>Longer than the other cluster tests': 33 clients and five processes' worth of work in one test process on 2 cores.</summary>
    private static readonly TimeSpan MemberTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Behind_round_robin_nginx_v4_polling_v4_upgrading_and_v2_clients_all_connect_stay_connected_and_get_every_message()
    {
        await using var cluster = TestCluster.Create("nginx-rr");
        var chat = "/chat";
        var backend = await cluster.StartBackendAsync(b => b.Of(chat).OnConnection(socket => socket.Emit("welcome", socket.Id)), o => o.Bus.MemberTimeout = MemberTimeout);
        var distributors = new List<DistributorHost>();
        for (var i = 0; i < 3; i++)
        {
            distributors.Add(await cluster.StartDistributorAsync([chat], o =>
            {
                o.Server.Engine.PingInterval = PingInterval;
                o.Server.Engine.PingTimeout = PingTimeout;
                o.Bus.MemberTimeout = MemberTimeout;
            }));
        }

        foreach (var d in distributors)
        {
            await cluster.WaitForBackendsAsync(d, 1);
            await Eventually.TrueAsync(() => d.Distributor.Members.Count(m => m.Kind == Protocol.Bus.MemberKind.Distributor) == 3, "every distributor sees the other two");
        }

        await using var nginx = await NginxProcess.StartAsync(distributors.Select(d => d.Url));
        await using var v4 = await NodeClientDriver.StartAsync("v4", output);
        await using var v2 = await NodeClientDriver.StartAsync("v2", output);
        var clients = new List<(NodeClientDriver Driver, string Name)>();
        var connecting = new List<Task<string?>>();
        for (var i = 0; i < PerKind; i++)
        {
            connecting.Add(Connect(v4, $"v4-polling-{i}", ["polling"]));
            connecting.Add(Connect(v4, $"v4-default-{i}", ["polling", "websocket"]));
            connecting.Add(Connect(v2, $"v2-default-{i}", ["polling", "websocket"]));
        }

        var errors = await Task.WhenAll(connecting);
        var failed = errors.Count(e => e is not null);
        output.WriteLine($"connected {clients.Count - failed} of {clients.Count}; errors: {string.Join("; ", errors.Where(e => e is not null).Distinct())}");
        Assert.Equal(0, failed);

        // Every socket got its own emit (sent from the backend's connection handler to that socket only).
        await Eventually.TrueAsync(() => clients.All(c => c.Driver.Count(c.Name, "welcome") == 1), "every socket got its welcome");

        // Numbered broadcasts, one after the other, over at least 5 ping intervals (bounded in count and time).
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        while (sent < MaxBroadcasts && (sent < MinBroadcasts || Stopwatch.GetElapsedTime(started) < PingInterval * 5))
        {
            sent++;
            backend.Of(chat).Emit("n", sent);
            var expected = sent;
            try
            {
                await Eventually.TrueAsync(() => clients.All(c => c.Driver.Count(c.Name, "n") == expected), $"every socket got broadcast {expected}");
            }
            catch (Exception) when (Describe(expected) is var missing)
            {
                output.WriteLine($"broadcast {expected} missing at: {missing}");
                throw;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        foreach (var (driver, name) in clients)
        {
            var numbers = driver.Events.Where(e => e.Name == name && e.Event == "n").Select(e => e.Args[0].GetInt32()).ToList();
            Assert.Equal(Enumerable.Range(1, sent), numbers);
            Assert.Equal(0, driver.Count(name, "$disconnect"));
        }

        var relayed = distributors.Sum(d => d.Distributor.Statistics.RelayedRequestsOut);
        var tunnels = distributors.Sum(d => d.Distributor.Statistics.TunnelsOut);
        var timedOut = distributors.Sum(d => d.Distributor.Statistics.RelayTimedOut);
        var refused = distributors.Sum(d => d.Distributor.Statistics.RelayRefused);
        output.WriteLine($"RESULT nginx round-robin: {clients.Count} of {clients.Count} connected, {sent} broadcasts over {elapsed.TotalMilliseconds:0} ms ({elapsed / PingInterval:0.0} ping intervals) each received by every socket in order, 0 disconnects; {relayed} requests relayed between distributors ({tunnels} WebSockets tunnelled), {timedOut} timed out, {refused} refused");
        Assert.True(relayed > 0, "round-robin sent some requests to a distributor that does not hold their session");
        Assert.True(tunnels > 0, "some upgrades landed on another distributor than the session's");
        Assert.Equal(0, timedOut + refused);

        string Describe(int expected) => string.Join("; ", clients
            .Where(c => c.Driver.Count(c.Name, "n") != expected)
            .Select(c => $"{c.Name} got {c.Driver.Count(c.Name, "n")} ({string.Join(", ", c.Driver.Events.Where(e => e.Name == c.Name && e.Event.StartsWith('$')).Select(e => e.Event + " " + e.Reason + e.Message))})"));

        async Task<string?> Connect(NodeClientDriver driver, string name, string[] transports)
        {
            lock (clients)
            {
                clients.Add((driver, name));
            }

            return await driver.TryConnectAsync(name, nginx.Url, chat, transports: transports);
        }
    }
}
