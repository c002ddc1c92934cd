using System.Collections.Concurrent;
using System.Text.Json;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>Application-defined messages between the processes of a deployment (the original's custom events).</summary>
public sealed class CustomMessageTests
{
    [Fact]
    public async Task A_backends_custom_message_reaches_every_distributor_and_the_other_backends()
    {
        await using var cluster = TestCluster.Create("custom-be");
        var (_, _, b1, _, seen) = await StartAsync(cluster);

        b1.PublishCustom("greet", new { n = 1, text = "hi" });

        await Eventually.TrueAsync(
            () => new[] { "d1", "d2", "b2" }.All(r => seen.Any(s => s.Receiver == r && s.Name == "greet")),
            $"both distributors and the other backend got the message (seen: {string.Join(", ", seen)})");
        foreach (var message in seen.Where(s => s.Name == "greet"))
        {
            Assert.Equal(b1.Id, message.Sender);
            Assert.Equal("""{"n":1,"text":"hi"}""", message.Payload);
        }

        // One copy each; a backend does not hear its own message.
        await AssertDeliveredOnceAsync(() => b1.PublishCustom("fence", null), 3, seen, "greet", ["d1", "d2", "b2"]);
    }

    [Fact]
    public async Task A_distributors_custom_message_reaches_the_other_distributor_and_every_backend()
    {
        await using var cluster = TestCluster.Create("custom-di");
        var (d1, _, _, _, seen) = await StartAsync(cluster);

        d1.Distributor.PublishCustom("tick", """{"k":"v"}"""u8.ToArray());

        await Eventually.TrueAsync(
            () => new[] { "d2", "b1", "b2" }.All(r => seen.Any(s => s.Receiver == r && s.Name == "tick")),
            $"the other distributor and both backends got the message (seen: {string.Join(", ", seen)})");
        foreach (var message in seen.Where(s => s.Name == "tick"))
        {
            Assert.Equal(d1.Distributor.Id, message.Sender);
            Assert.Equal("""{"k":"v"}""", message.Payload);
        }

        // Documented: "to every distributor (this one included)".
        await AssertDeliveredOnceAsync(() => d1.Distributor.PublishCustom("fence", "null"u8.ToArray()), 4, seen, "tick", ["d1", "d2", "b1", "b2"]);
    }

    private static async Task<(DistributorHost D1, DistributorHost D2, SocketIOBackend B1, SocketIOBackend B2, ConcurrentQueue<Seen> Seen)> StartAsync(TestCluster cluster)
    {
        var seen = new ConcurrentQueue<Seen>();
        var d1 = await cluster.StartDistributorAsync(["/"]);
        var d2 = await cluster.StartDistributorAsync(["/"]);
        var b1 = await cluster.StartBackendAsync(b => b.Of("/"));
        var b2 = await cluster.StartBackendAsync(b => b.Of("/"));
        d1.Distributor.CustomMessageReceived += m => seen.Enqueue(new Seen("d1", m.SenderId, m.Name, Compact(m.PayloadJson.Span)));
        d2.Distributor.CustomMessageReceived += m => seen.Enqueue(new Seen("d2", m.SenderId, m.Name, Compact(m.PayloadJson.Span)));
        b1.CustomMessageReceived += (_, e) => seen.Enqueue(new Seen("b1", e.SenderId, e.Name, e.Payload.GetRawText()));
        b2.CustomMessageReceived += (_, e) => seen.Enqueue(new Seen("b2", e.SenderId, e.Name, e.Payload.GetRawText()));
        return (d1, d2, b1, b2, seen);
    }

    /// <summary>
    /// Has the same publisher send a second message and waits for all its copies: every copy of the
    /// first that was going to arrive has arrived by then (one publisher, one ordered channel).
    /// </summary>
    private static async Task AssertDeliveredOnceAsync(
        Action publishFence, int fenceCopies, ConcurrentQueue<Seen> seen, string name, string[] expectedReceivers)
    {
        publishFence();
        await Eventually.TrueAsync(
            () => seen.Count(s => s.Name == "fence") == fenceCopies,
            $"the fences arrived (seen: {string.Join(", ", seen)})");
        Assert.Equal(expectedReceivers.Order(StringComparer.Ordinal), seen.Where(s => s.Name == name).Select(s => s.Receiver).Order(StringComparer.Ordinal));
    }

    private static string Compact(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<JsonElement>(json).GetRawText();

    private sealed record Seen(string Receiver, string Sender, string Name, string Payload);
}
