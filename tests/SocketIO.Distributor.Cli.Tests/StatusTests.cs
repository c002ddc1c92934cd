using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing.Node;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary><c>siod status</c> on a running demo deployment: who is alive, what they serve, how many are connected.</summary>
public sealed class StatusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Status_lists_two_distributors_and_three_backends_with_their_namespaces()
    {
        await using var demo = await DemoUnderTest.StartAsync("status-list");

        var members = await demo.StatusWhenAsync(m => m.Count == 5, "2 distributors and 3 backends are registered");

        var distributors = members.Where(m => m.Kind == MemberKind.Distributor).ToList();
        var backends = members.Where(m => m.Kind == MemberKind.Backend).ToList();
        Assert.Equal(2, distributors.Count);
        Assert.All(distributors, d => Assert.Equal(DemoUnderTest.Namespaces, d.Namespaces.Order(StringComparer.Ordinal)));
        Assert.All(distributors, d => Assert.Equal(0, d.Connections));
        Assert.Equal(DemoUnderTest.Namespaces, backends.Select(b => Assert.Single(b.Namespaces)).Order(StringComparer.Ordinal));

        var table = await Siod.RunAsync("status", "--redis", TestRedis.ConnectionString, "--prefix", demo.Prefix);
        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("Bus: ", lines[0], StringComparison.Ordinal);
        Assert.Single(lines, l => l.StartsWith("KIND", StringComparison.Ordinal));
        foreach (var member in members)
        {
            var row = Assert.Single(lines, l => l.Contains($" {member.Id} ", StringComparison.Ordinal));
            Assert.StartsWith(member.Kind == MemberKind.Distributor ? "distributor" : "backend", row, StringComparison.Ordinal);
            Assert.Contains(string.Join(",", member.Namespaces), row, StringComparison.Ordinal);
        }

        Assert.Equal("2 distributor(s), 3 backend(s), 0 connection(s).", lines[^1]);
    }

    [Fact]
    public async Task Status_counts_the_connections_and_sockets_of_each_distributor_and_backend()
    {
        await using var demo = await DemoUnderTest.StartAsync("status-counts");
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        // Distributor 1: one connection with all three namespaces. Distributor 2: two connections, one with /chat only.
        var sids = new List<string>();
        foreach (var nsp in DemoUnderTest.Namespaces)
        {
            sids.Add(await clients.ConnectAsync($"a{nsp}", demo.Urls[0], nsp, connection: "a"));
        }

        // Socket ids start with their distributor's id.
        var first = Assert.Single(sids.Select(sid => sid.Split('.')[0]).Distinct());

        await clients.ConnectAsync("b/chat", demo.Urls[1], "/chat", connection: "b");
        await clients.ConnectAsync("b/gameA", demo.Urls[1], "/gameA", connection: "b");
        await clients.ConnectAsync("c/chat", demo.Urls[1], "/chat", connection: "c");

        var status = await demo.StatusWhenAsync(
            m => Sockets(m, first) == "/chat=1 /gameA=1 /gameB=1" && Sockets(m, Other(m, first)) == "/chat=2 /gameA=1 /gameB=0"
                && BackendSockets(m, "/chat") == 3 && BackendSockets(m, "/gameA") == 2 && BackendSockets(m, "/gameB") == 1,
            "the counts show 4 + 2 + 1 sockets over 3 connections");
        Assert.Equal(1, status.Single(m => m.Id == first).Connections);
        Assert.Equal(2, status.Single(m => m.Id == Other(status, first)).Connections);

        await clients.DisconnectAsync("c/chat");
        await demo.StatusWhenAsync(
            m => Sockets(m, Other(m, first)) == "/chat=1 /gameA=1 /gameB=0" && BackendSockets(m, "/chat") == 2,
            "a socket that left is no longer counted");
    }

    private static string Other(List<MemberInfo> members, string id) =>
        members.Single(m => m.Kind == MemberKind.Distributor && m.Id != id).Id;

    private static string Sockets(List<MemberInfo> members, string id)
    {
        var sockets = members.Single(m => m.Id == id).Sockets;
        return string.Join(" ", DemoUnderTest.Namespaces.Select(n => $"{n}={sockets.GetValueOrDefault(n)}"));
    }

    private static int BackendSockets(List<MemberInfo> members, string nsp) =>
        members.Single(m => m.Kind == MemberKind.Backend && m.Namespaces.Contains(nsp)).Sockets.GetValueOrDefault(nsp);
}
