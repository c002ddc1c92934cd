using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class CustomMessageTests
{
    [Fact]
    public async Task PublishCustom_sends_a_custom_message_to_every_process()
    {
        await using var h = await BackendHarness.StartAsync(b => b.Of("/"));
        await h.D1.WatchAsync(h.D1.Channels.All);

        h.Backend.PublishCustom("maintenance", new { minutes = 5 });

        var message = await h.D1.NextAsync<CustomMessage>();
        Assert.Equal(("b1", "maintenance"), (message.SenderId, message.Name));
        Assert.Equal("""{"minutes":5}""", System.Text.Encoding.UTF8.GetString(message.PayloadJson.Span));
    }

    [Fact]
    public async Task Custom_messages_of_others_raise_the_event_and_a_failing_handler_is_contained()
    {
        var received = new TaskCompletionSource<CustomMessageEventArgs>();
        await using var h = await BackendHarness.StartAsync(b =>
        {
            b.Of("/");
            b.CustomMessageReceived += (_, _) => throw new InvalidOperationException("handler bug");
        });
        h.Backend.CustomMessageReceived += (_, e) => received.TrySetResult(e);

        h.Backend.PublishCustom("own", null);
        h.D1.Bus.Publish(h.D1.Channels.All, new CustomMessage("d1", "reload", """{"version":3}"""u8.ToArray()).Encode());

        var e = await received.Task.WithTimeout("the custom message");
        Assert.Equal(("d1", "reload", 3), (e.SenderId, e.Name, e.Payload.GetProperty("version").GetInt32()));
        Assert.True(h.Logs.Has(4037));
    }
}
