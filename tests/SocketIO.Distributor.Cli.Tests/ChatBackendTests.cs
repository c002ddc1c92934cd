using System.Text.Json;
using SocketIO.Distributor.Demo;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>The demo's chat backend (/chat), driven by real socket.io clients through the demo deployment.</summary>
public sealed class ChatBackendTests(ITestOutputHelper output) : IAsyncLifetime
{
    private DemoUnderTest _demo = null!;
    private NodeClientDriver _clients = null!;

    public async Task InitializeAsync()
    {
        _demo = await DemoUnderTest.StartAsync("chat");
        _clients = await NodeClientDriver.StartAsync("v4", output);
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        await _demo.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_message_is_acked_ok_and_reaches_the_others_as_chatMessage()
    {
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/chat", auth: new { name = "alice" });
        await _clients.ConnectAsync("bob", _demo.Urls[1], "/chat", auth: new { name = "bob" });

        var ack = await _clients.EmitWithAckAsync("alice", "postMessage", [new { message = "  privet  ", channel = "ru" }]);

        Assert.Equal(JsonValueKind.Null, ack[0].ValueKind);
        Assert.Equal("ok", ack[1].GetString());
        var received = await _clients.WaitForEventAsync("bob", "chatMessage");
        Assert.Equal("""{"sender":"alice","message":"privet","channel":"ru"}""", received.Args[0].GetRawText());
        await _clients.WaitForEventAsync("alice", "chatMessage");
    }

    [Fact]
    public async Task A_client_without_a_name_is_a_guest()
    {
        var sid = await _clients.ConnectAsync("anonymous", _demo.Urls[0], "/chat");

        await _clients.EmitWithAckAsync("anonymous", "postMessage", [new { message = "hi", channel = "en" }]);

        var received = await _clients.WaitForEventAsync("anonymous", "chatMessage");
        Assert.Equal("guest-" + sid[^4..], received.Args[0].GetProperty("sender").GetString());
    }

    public static TheoryData<string, object?[], string, string> InvalidRequests => new()
    {
        { "a channel other than en or ru", [new { message = "hi", channel = "de" }], "channel", "channel must be one of \"en\", \"ru\"" },
        { "no channel", [new { message = "hi" }], "channel", "channel is required" },
        { "an empty message", [new { message = "", channel = "en" }], "message", "message is required" },
        { "a blank message", [new { message = "   ", channel = "en" }], "message", "message is required" },
        { "a message that is too long", [new { message = new string('x', ChatBackend.MaxMessageLength + 1), channel = "en" }], "message", "message must be at most 500 characters" },
        { "null", [null], "request", "request is required" },
        { "no argument", [], "request", "request is required" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task An_invalid_message_is_acked_with_an_error_naming_the_field_and_not_broadcast(string what, object?[] args, string field, string error)
    {
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/chat", auth: new { name = "alice" });

        var ack = await _clients.EmitWithAckAsync("alice", "postMessage", args);

        Assert.True(ack.Length == 1 && ack[0].ValueKind == JsonValueKind.Object, $"{what}: ack {string.Join(", ", ack.Select(a => a.GetRawText()))}");
        Assert.Equal(error, ack[0].GetProperty("message").GetString());
        Assert.Equal("INVALID_PAYLOAD", ack[0].GetProperty("code").GetString());
        Assert.Equal(field, ack[0].GetProperty("data").GetProperty("field").GetString());
        Assert.Equal("postMessage", ack[0].GetProperty("data").GetProperty("event").GetString());
        await AssertNoChatMessageAsync(what);
    }

    [Theory]
    [InlineData("a string", "\"hello\"")]
    [InlineData("a number", "42")]
    [InlineData("an array", "[\"hello\", \"en\"]")]
    public async Task A_request_that_is_not_an_object_is_acked_with_a_wrong_type_error(string what, string json)
    {
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/chat", auth: new { name = "alice" });

        var ack = await _clients.EmitWithAckAsync("alice", "postMessage", [JsonDocument.Parse(json).RootElement]);

        Assert.True(ack.Length == 1 && ack[0].ValueKind == JsonValueKind.Object, $"{what}: ack {string.Join(", ", ack.Select(a => a.GetRawText()))}");
        Assert.Equal("request has the wrong type", ack[0].GetProperty("message").GetString());
        Assert.Equal("request", ack[0].GetProperty("data").GetProperty("field").GetString());
        await AssertNoChatMessageAsync(what);
    }

    [Fact]
    public async Task History_holds_the_last_50_messages_in_order()
    {
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/chat", auth: new { name = "alice" });
        var first = await _clients.WaitForEventAsync("alice", "history");
        Assert.Equal(0, first.Args[0].GetArrayLength());

        const int Sent = ChatBackend.HistorySize + 5;
        for (var i = 1; i <= Sent; i++)
        {
            var ack = await _clients.EmitWithAckAsync("alice", "postMessage", [new { message = $"message {i}", channel = i % 2 == 0 ? "en" : "ru" }]);
            Assert.Equal("ok", ack[1].GetString());
        }

        await _clients.ConnectAsync("bob", _demo.Urls[1], "/chat", auth: new { name = "bob" });
        var history = await _clients.WaitForEventAsync("bob", "history");

        var messages = history.Args[0].EnumerateArray().Select(m => $"{m.GetProperty("sender").GetString()} {m.GetProperty("channel").GetString()} {m.GetProperty("message").GetString()}");
        Assert.Equal(
            Enumerable.Range(Sent - ChatBackend.HistorySize + 1, ChatBackend.HistorySize).Select(i => $"alice {(i % 2 == 0 ? "en" : "ru")} message {i}"),
            messages);
    }

    /// <summary>A valid message sent afterwards arrives, and it is the only chatMessage seen.</summary>
    private async Task AssertNoChatMessageAsync(string what)
    {
        var ack = await _clients.EmitWithAckAsync("alice", "postMessage", [new { message = "valid", channel = "en" }]);
        Assert.Equal("ok", ack[1].GetString());
        var received = await _clients.WaitForEventAsync("alice", "chatMessage");
        Assert.Equal("valid", received.Args[0].GetProperty("message").GetString());
        Assert.True(_clients.Count("alice", "chatMessage") == 1, $"{what} was broadcast");
    }
}
