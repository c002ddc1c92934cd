using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// <c>io.To(socketId).Emit</c> between clients served by different backend replicas of one
/// namespace, through different distributors: the socket id names the distributor that holds it.
/// </summary>
public sealed class PrivateMessageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Private_messages_reach_sockets_served_by_other_replicas_on_other_distributors()
    {
        await using var cluster = TestCluster.Create("dm");
        var servedBy = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        for (var replica = 0; replica < 2; replica++)
        {
            var label = $"replica{replica}";
            await cluster.StartBackendAsync(b => b.Of("/dm").OnConnection(socket =>
            {
                servedBy[socket.Id] = label;
                socket.On<string>("dm", to => socket.Namespace.To(to).Emit("dm", socket.Id));
            }));
        }

        var d1 = await cluster.StartDistributorAsync(["/dm"]);
        var d2 = await cluster.StartDistributorAsync(["/dm"]);
        await cluster.WaitForBackendsAsync(d1, 2);
        await cluster.WaitForBackendsAsync(d2, 2);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await clients.ConnectAsync($"c{i}", i % 2 == 0 ? d1.Url : d2.Url, "/dm"));
        }

        for (var from = 0; from < ids.Count; from++)
        {
            for (var to = 0; to < ids.Count; to++)
            {
                if (from != to)
                {
                    await clients.EmitAsync($"c{from}", "dm", ids[to]);
                }
            }
        }

        for (var to = 0; to < ids.Count; to++)
        {
            var senders = new HashSet<string>();
            for (var n = 0; n < ids.Count - 1; n++)
            {
                senders.Add((await clients.WaitForEventAsync($"c{to}", "dm")).String(0)!);
            }

            Assert.Equal(ids.Where((_, i) => i != to).ToHashSet(), senders);
        }

        output.WriteLine("served by: " + string.Join(", ", ids.Select(id => servedBy.GetValueOrDefault(id, "?"))));
    }
}
