using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Api;

/// <summary>
/// <c>io.To("room", socketId)</c>: a socket-id target reaches that socket through its distributor, even mixed
/// with rooms (it used to be published on a room channel named after the id that nobody subscribes to), and a
/// socket that is both in a targeted room and targeted by id receives the emit once.
/// </summary>
public sealed class MixedTargetTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Rooms_and_socket_ids_mixed_reach_each_target_once_on_both_distributors(string version)
    {
        await using var cluster = await ApiCluster.StartAsync("api-mixed-targets");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var layout = new (string Name, DistributorHost At, string[] Rooms)[]
        {
            ("red-d1", cluster.D1, ["red"]),
            ("red-d2", cluster.D2, ["red"]),
            ("plain-d1", cluster.D1, []),
            ("plain-d2", cluster.D2, []),
            ("other-d2", cluster.D2, []),
        };
        var sockets = new Dictionary<string, BackendSocket>();
        foreach (var (name, at, rooms) in layout)
        {
            sockets[name] = await cluster.ConnectAsync(clients, name, at);
            await sockets[name].JoinAsync(rooms);
        }

        string Id(string name) => sockets[name].Id;

        // red-d2 is in "red" and targeted by id: once. plain-d1 and plain-d2 only by id, from either replica.
        cluster.Nsp1.To("red", Id("plain-d1"), Id("red-d2"), Id("plain-d2")).Emit("mixed", 1);
        cluster.Nsp2.To(Id("plain-d2"), "red").Except(Id("red-d1")).Emit("mixed-except", 2);
        cluster.Nsp1.Emit("marker");
        var expected = new Dictionary<string, string[]>
        {
            ["mixed"] = ["red-d1", "red-d2", "plain-d1", "plain-d2"],
            ["mixed-except"] = ["red-d2", "plain-d2"],
        };
        foreach (var (name, _, _) in layout)
        {
            await clients.WaitForEventAsync(name, "marker");
        }

        foreach (var (ev, receivers) in expected)
        {
            foreach (var name in receivers)
            {
                await clients.WaitForEventAsync(name, ev);
            }
        }

        // One more marker after the expected deliveries: a duplicate would have arrived before it.
        cluster.Nsp2.Emit("marker-2");
        foreach (var (name, _, _) in layout)
        {
            await clients.WaitForEventAsync(name, "marker-2");
        }

        foreach (var (ev, receivers) in expected)
        {
            foreach (var (name, _, _) in layout)
            {
                var want = receivers.Contains(name) ? 1 : 0;
                Assert.True(clients.Count(name, ev) == want, $"{name} received \"{ev}\" {clients.Count(name, ev)} times; expected {want}");
            }
        }
    }

    [Fact]
    public async Task Local_reaches_only_the_sockets_this_replica_serves()
    {
        await using var cluster = await ApiCluster.StartAsync("api-local");
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var names = Enumerable.Range(0, 6).Select(i => $"s{i}").ToArray();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            await cluster.ConnectAsync(clients, name, i % 2 == 0 ? cluster.D1 : cluster.D2);
        }

        var onB1 = names.Where(n => cluster.Nsp1.Sockets.ContainsKey(cluster.SocketNamed(n).Id)).ToHashSet();
        output.WriteLine($"B1 serves {string.Join(", ", onB1)}; B2 the others");

        cluster.Nsp1.Local.Emit("local-1");
        cluster.Nsp2.Local.Emit("local-2");
        cluster.Nsp1.Emit("marker");
        foreach (var name in names)
        {
            await clients.WaitForEventAsync(name, "marker");
            await clients.WaitForEventAsync(name, onB1.Contains(name) ? "local-1" : "local-2");
        }

        cluster.Nsp2.Emit("marker-2");
        foreach (var name in names)
        {
            await clients.WaitForEventAsync(name, "marker-2");
            Assert.Equal(onB1.Contains(name) ? (1, 0) : (0, 1), (clients.Count(name, "local-1"), clients.Count(name, "local-2")));
        }

        foreach (var name in names)
        {
            await clients.SetAckReplyAsync(name, "question", [name]);
        }

        var acked = await cluster.Nsp2.Local.Timeout(TimeSpan.FromSeconds(10)).EmitWithAckAsync("question");
        Assert.Equal(names.Where(n => !onB1.Contains(n)).Order(StringComparer.Ordinal), acked.Select(a => a.Get<string>(0)!).Order(StringComparer.Ordinal));
    }
}
