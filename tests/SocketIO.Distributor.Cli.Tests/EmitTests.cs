using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// <c>siod emit</c> reaches exactly the sockets it names. The clients, on the demo's /gameA (tic-tac-toe) and /chat:
/// <list type="bullet">
/// <item>distributor 1: <c>a</c> (/gameA, table t1) and <c>c</c> (/chat)</item>
/// <item>distributor 2: <c>b</c> (/gameA, table t2) and <c>d</c> (/gameA, table t1)</item>
/// </list>
/// A client that must not get an event is checked after a later event sent to it alone has arrived
/// (events from one publisher reach a distributor in order).
/// </summary>
public sealed class EmitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Everyone = ["a", "b", "c", "d"];

    private DemoUnderTest _demo = null!;
    private NodeClientDriver _clients = null!;
    private readonly Dictionary<string, string> _sids = [];

    public async Task InitializeAsync()
    {
        _demo = await DemoUnderTest.StartAsync("emit");
        _clients = await NodeClientDriver.StartAsync("v4", output);
        _sids["a"] = await _clients.ConnectAsync("a", _demo.Urls[0], "/gameA");
        _sids["c"] = await _clients.ConnectAsync("c", _demo.Urls[0], "/chat");
        _sids["b"] = await _clients.ConnectAsync("b", _demo.Urls[1], "/gameA");
        _sids["d"] = await _clients.ConnectAsync("d", _demo.Urls[1], "/gameA");
        foreach (var (name, table) in new[] { ("a", "t1"), ("b", "t2"), ("d", "t1") })
        {
            var ack = await _clients.EmitWithAckAsync(name, "join", [table]);
            Assert.True(ack[0].ValueKind == System.Text.Json.JsonValueKind.Null, $"{name} could not join {table}: {ack[0]}");
        }
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        await _demo.DisposeAsync();
    }

    [Fact]
    public async Task Emit_to_a_namespace_reaches_every_socket_of_that_namespace_only()
    {
        var run = await Siod.EmitAsync(_demo.Prefix, "news", """["to /gameA", 1]""", "-n", "/gameA");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("namespace /gameA", run.Stdout, StringComparison.Ordinal);
        await AssertReceivedOnlyByAsync("news", ["a", "b", "d"]);
        var received = _clients.Events.Single(e => e.Name == "b" && e.Event == "news");
        Assert.Equal("to /gameA", received.String(0));
        Assert.Equal(1, received.Args[1].GetInt32());
    }

    [Fact]
    public async Task Emit_to_a_room_reaches_its_members_on_both_distributors_only()
    {
        var run = await Siod.EmitAsync(_demo.Prefix, "news", """["to t1"]""", "-n", "/gameA", "-r", "t1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(2 subscription(s) reached)", run.Stdout, StringComparison.Ordinal);
        await AssertReceivedOnlyByAsync("news", ["a", "d"]);
    }

    [Fact]
    public async Task Emit_to_two_rooms_reaches_each_member_once()
    {
        var run = await Siod.EmitAsync(_demo.Prefix, "news", """["to t1 and t2"]""", "-n", "/gameA", "-r", "t1", "-r", "t2");

        Assert.True(run.ExitCode == 0, run.ToString());
        await AssertReceivedOnlyByAsync("news", ["a", "b", "d"]);
    }

    [Fact]
    public async Task Emit_to_a_socket_reaches_that_socket_only()
    {
        var run = await Siod.EmitAsync(_demo.Prefix, "news", """["to b"]""", "-n", "/gameA", "-s", _sids["b"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(1 distributor(s) listening)", run.Stdout, StringComparison.Ordinal);
        await AssertReceivedOnlyByAsync("news", ["b"]);
    }

    [Fact]
    public async Task Emit_to_a_socket_of_a_distributor_that_is_gone_exits_1()
    {
        var run = await Siod.EmitAsync(_demo.Prefix, "news", "[]", "-n", "/gameA", "-s", "NoSuchDi.x");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("(0 distributor(s) listening)", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Waits for <paramref name="ev"/> at each of <paramref name="receivers"/>, then sends every client a
    /// "barrier" event on its own and, once each has it, checks that each socket got <paramref name="ev"/>
    /// exactly as often as it should (once, or never).
    /// </summary>
    private async Task AssertReceivedOnlyByAsync(string ev, string[] receivers)
    {
        foreach (var name in receivers)
        {
            await _clients.WaitForEventAsync(name, ev);
        }

        foreach (var name in Everyone)
        {
            var nsp = name == "c" ? "/chat" : "/gameA";
            var barrier = await Siod.EmitAsync(_demo.Prefix, "barrier", "[]", "-n", nsp, "-s", _sids[name]);
            Assert.True(barrier.ExitCode == 0, barrier.ToString());
            await _clients.WaitForEventAsync(name, "barrier");
        }

        Assert.Equal(
            Everyone.Select(name => $"{name}: {(receivers.Contains(name) ? 1 : 0)}"),
            Everyone.Select(name => $"{name}: {_clients.Count(name, ev)}"));
    }
}
