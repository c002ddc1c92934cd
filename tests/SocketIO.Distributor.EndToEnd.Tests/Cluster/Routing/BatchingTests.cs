using System.Net.WebSockets;
using System.Text;
using SocketIO.Distributor.Testing;
using static SocketIO.Distributor.EndToEnd.Tests.Cluster.RawWebSocket;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// A client that pipelines a burst of events (with and without acks) through a distributor and a
/// backend gets every answer, in order, while both directions go out in batches under the burst.
/// </summary>
public sealed class BatchingTests
{
    private const int Burst = 400;
    private const int MaxBursts = 20;

    [Fact]
    public async Task A_pipelined_burst_is_batched_both_ways_and_every_answer_comes_back_in_order()
    {
        await using var cluster = TestCluster.Create("batching-e2e");
        var backend = await cluster.StartBackendAsync(b => b.Of("/chat").OnConnection(socket =>
        {
            socket.On("e", e => socket.Emit("back", e.Arguments[0].GetInt32()));
            socket.On("a", e => e.Ack(e.Arguments[0].GetInt32()));
        }));
        var distributor = await cluster.StartDistributorAsync(["/chat"]);
        await cluster.WaitForBackendsAsync(distributor, 1);

        // Each side batches to the other once it has read the other's registry entry (readsBatches).
        await Eventually.TrueAsync(() => backend.Members.Any(m => m.Id == distributor.Distributor.Id), "the backend sees the distributor");

        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"{distributor.Url.Replace("http://", "ws://", StringComparison.Ordinal)}/socket.io/?EIO=4&transport=websocket"), CancellationToken.None);
        Assert.StartsWith("0{", (await ReceiveTextAsync(ws)).Text, StringComparison.Ordinal);
        await SendAsync(ws, "40/chat,");
        Assert.StartsWith("40/chat,{\"sid\":", (await ReceiveTextAsync(ws)).Text, StringComparison.Ordinal);

        // Bursts until both directions went out batched at least once (the first burst does in practice); bounded.
        var ackId = 0;
        for (var bursts = 0; bursts < MaxBursts && (distributor.Distributor.Statistics.BatchesPublished == 0 || backend.Statistics.BatchesPublished == 0); bursts++)
        {
            var expected = new List<string>();
            for (var i = 0; i < Burst; i++)
            {
                if (i % 2 == 0)
                {
                    await SendAsync(ws, $"42/chat,[\"e\",{i}]");
                    expected.Add($"42/chat,[\"back\",{i}]");
                }
                else
                {
                    await SendAsync(ws, $"42/chat,{ackId}[\"a\",{i}]");
                    expected.Add($"43/chat,{ackId}[{i}]");
                    ackId++;
                }
            }

            var received = new List<string>();
            while (received.Count < expected.Count)
            {
                received.Add((await ReceiveTextAsync(ws)).Text);
            }

            Assert.Equal(expected, received);
        }

        Assert.True(distributor.Distributor.Statistics.BatchesPublished > 0, "the distributor published no batch");
        Assert.True(backend.Statistics.BatchesPublished > 0, "the backend published no batch");
        Assert.True(backend.Statistics.BatchesReceived > 0, "the backend received no batch");
        Assert.True(distributor.Distributor.Statistics.BatchesReceived > 0, "the distributor received no batch");
        Assert.Equal(0, backend.Statistics.MessagesLost);
        Assert.Equal(0, distributor.Distributor.Statistics.MessagesLost);
    }
}
