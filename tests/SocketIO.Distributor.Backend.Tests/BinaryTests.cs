using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class BinaryTests
{
    private sealed record Upload(string Name, byte[] Content, ReadOnlyMemory<byte> Thumbnail);

    [Fact]
    public async Task Binary_placeholders_resolve_to_attachments_at_top_level_and_nested()
    {
        var received = new TaskCompletionSource<SocketEvent>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("upload", e => received.TrySetResult(e))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(
            h.Backend.Id,
            "s1",
            """52-["upload",{"_placeholder":true,"num":0},{"name":"a.png","content":{"_placeholder":true,"num":1},"thumbnail":{"_placeholder":true,"num":0}}]""",
            [1, 2, 3],
            [9, 8]);

        var e = await received.Task.WithTimeout("the upload");
        Assert.Equal(2, e.Arguments.Attachments.Count);
        Assert.Equal([1, 2, 3], e.Arguments.Get<byte[]>(0));
        Assert.Equal([1, 2, 3], e.Arguments.Get<ReadOnlyMemory<byte>>(0).ToArray());
        var upload = e.Arguments.Get<Upload>(1)!;
        Assert.Equal("a.png", upload.Name);
        Assert.Equal([9, 8], upload.Content);
        Assert.Equal([1, 2, 3], upload.Thumbnail.ToArray());
    }

    [Fact]
    public async Task Emitted_bytes_become_attachments_with_placeholders()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/files").OnConnection(s =>
            s.Emit("file", new byte[] { 0xCA, 0xFE }, new { name = "x", data = new ReadOnlyMemory<byte>([1]) })));

        await h.D1.ConnectAndWaitAsync(h.Backend.Id, "s1", "/files");

        var sent = await h.SentAsync("s1", "45");
        Assert.Equal(
            [
                """452-/files,["file",{"_placeholder":true,"num":0},{"name":"x","data":{"_placeholder":true,"num":1}}]""",
                "<bin:CAFE>",
                "<bin:01>",
            ],
            BackendHarness.Text(sent.Frames));
    }

    [Fact]
    public async Task Received_arguments_re_emitted_are_byte_identical()
    {
        // Not re-serialized: the spacing, the number's trailing zero and the escape survive.
        const string Arguments = """[{"_placeholder":true,"num":0} , {"a": 1.50, "b":"\u00e9"},[{"_placeholder":true,"num":1}]]""";
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s
            .On("message", e => s.Emit("message-back", e.Arguments))
            .On("call", e => e.Ack(e.Arguments))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", "52-[\"message\"," + Arguments[1..], [1, 2], [3]);
        h.D1.SendPacket(h.Backend.Id, "s1", "52-4[\"call\"," + Arguments[1..], [4], [5]);

        var echo = await h.SentAsync("s1", "45");
        Assert.Equal(["452-[\"message-back\"," + Arguments[1..], "<bin:0102>", "<bin:03>"], BackendHarness.Text(echo.Frames));
        var ack = await h.SentAsync("s1", "46");
        Assert.Equal(["462-4" + Arguments, "<bin:04>", "<bin:05>"], BackendHarness.Text(ack.Frames));
    }

    [Fact]
    public async Task Received_arguments_nested_in_a_new_emit_are_renumbered()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s =>
            s.On("relay", e => s.Emit("relayed", new byte[] { 7 }, e.Arguments))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """51-["relay","x",{"_placeholder":true,"num":0}]""", [1]);

        var sent = await h.SentAsync("s1", "45");
        Assert.Equal(
            ["""452-["relayed",{"_placeholder":true,"num":0},["x",{"_placeholder":true,"num":1}]]""", "<bin:07>", "<bin:01>"],
            BackendHarness.Text(sent.Frames));
    }

    [Fact]
    public async Task Placeholder_without_attachment_fails_binding_not_the_socket()
    {
        var bound = new TaskCompletionSource<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s
            .On<byte[]>("bin", _ => bound.TrySetResult("should not bind"))
            .On<string>("text", v => bound.TrySetResult(v))));
        await h.ConnectAsync("s1");

        h.D1.SendPacket(h.Backend.Id, "s1", """2["bin",{"_placeholder":true,"num":3}]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """2["text","still fine"]""");

        Assert.Equal("still fine", await bound.Task.WithTimeout("the next event"));
        Assert.True(h.Logs.Has(4034));
        Assert.Empty(h.D1.ReceivedOf<SendToSocket>());
    }
}
