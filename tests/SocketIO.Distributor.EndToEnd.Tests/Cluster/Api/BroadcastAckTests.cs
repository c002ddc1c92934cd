using System.Diagnostics;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Api;

/// <summary>
/// socket.io's <c>io.timeout(ms).emitWithAck</c> and <c>socket.timeout(ms).emitWithAck</c>: the answers of every
/// matching socket on every distributor, whichever replica serves it, or a timeout with the answers so far.
/// </summary>
public sealed class BroadcastAckTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_broadcast_gathers_the_answer_of_every_matching_socket_on_both_distributors(string version)
    {
        await using var cluster = await ApiCluster.StartAsync("api-bcast-ack");
        await using var clients = await NodeClientDriver.StartAsync(version, output);
        var sockets = new Dictionary<string, BackendSocket>();
        foreach (var name in new[] { "a-d1", "b-d1", "c-d2", "d-d2" })
        {
            sockets[name] = await cluster.ConnectAsync(clients, name, name.EndsWith("d1", StringComparison.Ordinal) ? cluster.D1 : cluster.D2);
            await clients.SetAckReplyAsync(name, "question", [name, 1]);
        }

        await sockets["a-d1"].JoinAsync("red");
        await sockets["c-d2"].JoinAsync("red");

        var all = await cluster.Nsp1.Timeout(Generous).EmitWithAckAsync("question", "who?");
        Assert.Equal(["a-d1", "b-d1", "c-d2", "d-d2"], Names(all));
        var rounds = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(4, (await cluster.Nsp2.Timeout(Generous).EmitWithAckAsync("question", i)).Count);
        }

        output.WriteLine($"{version}: a broadcast with acks to 4 clients on 2 distributors: {rounds.Elapsed.TotalMilliseconds / 20:0.0} ms per round (20 rounds)");
        Assert.True((await clients.WaitForEventAsync("c-d2", "question")).HasAck);

        // From the other replica, to a room, to all but a room, and to socket ids.
        Assert.Equal(["a-d1", "c-d2"], Names(await cluster.Nsp2.To("red").Timeout(Generous).EmitWithAckAsync("question", "red?")));
        Assert.Equal(["b-d1", "d-d2"], Names(await cluster.Nsp1.Except("red").Timeout(Generous).EmitWithAckAsync("question", "not red?")));
        Assert.Equal(["b-d1", "c-d2"], Names(await cluster.Nsp2.To(sockets["b-d1"].Id, sockets["c-d2"].Id).Timeout(Generous).EmitWithAckAsync("question")));
        Assert.Empty(await cluster.Nsp1.To("nobody-here").Timeout(Generous).EmitWithAckAsync("question"));

        // The client's own acks still reach its own backend in between.
        var own = await sockets["d-d2"].Timeout(Generous).EmitWithAckAsync("question", "just you");
        Assert.Equal("d-d2", own.Get<string>(0));
    }

    [Fact]
    public async Task A_silent_client_makes_the_broadcast_time_out_with_the_answers_that_came()
    {
        await using var cluster = await ApiCluster.StartAsync("api-bcast-ack-timeout");
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        foreach (var (name, at) in new[] { ("talker-d1", cluster.D1), ("talker-d2", cluster.D2), ("mute-d2", cluster.D2) })
        {
            await cluster.ConnectAsync(clients, name, at);
        }

        await clients.SetAckReplyAsync("talker-d1", "question", ["talker-d1"]);
        await clients.SetAckReplyAsync("talker-d2", "question", ["talker-d2"]);

        var clock = Stopwatch.StartNew();
        var timeout = await Assert.ThrowsAsync<BroadcastAckTimeoutException>(
            () => cluster.Nsp1.Timeout(TimeSpan.FromMilliseconds(800)).EmitWithAckAsync("question"));
        clock.Stop();
        output.WriteLine($"timed out after {clock.ElapsedMilliseconds} ms: {timeout.Message}");

        Assert.Equal(["talker-d1", "talker-d2"], Names(timeout.Answers));
        Assert.Equal(3, timeout.Expected);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(750), TimeSpan.FromSeconds(5));
        Assert.IsAssignableFrom<TimeoutException>(timeout);

        // socket.timeout(ms).emitWithAck on the mute socket times out too.
        await Assert.ThrowsAnyAsync<TimeoutException>(() => cluster.SocketNamed("mute-d2").Timeout(300).EmitWithAckAsync("question"));
    }

    [Fact]
    public async Task SocketIOClient_and_socket_io_client_answers_are_gathered_together()
    {
        await using var cluster = await ApiCluster.StartAsync("api-bcast-ack-net");
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        await cluster.ConnectAsync(clients, "node-d1", cluster.D1);
        await clients.SetAckReplyAsync("node-d1", "question", ["node-d1"]);
        var answers = new Dictionary<string, object[]> { ["question"] = ["dotnet-d2"] };
        await using var dotnet = new Routing.DotNetSocket(cluster.D2.Url, ApiCluster.Chat, ["question"], answers);
        await dotnet.ConnectAsync();

        var all = await cluster.Nsp1.Timeout(Generous).EmitWithAckAsync("question", "who?");

        Assert.Equal(["dotnet-d2", "node-d1"], Names(all));
    }

    private static string[] Names(IReadOnlyList<SocketArguments> answers) => [.. answers.Select(a => a.Get<string>(0)!).Order(StringComparer.Ordinal)];
}
