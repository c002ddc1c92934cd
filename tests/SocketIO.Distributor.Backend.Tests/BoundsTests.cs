using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class BoundsTests
{
    [Fact]
    public async Task A_socket_whose_handlers_fall_behind_is_disconnected_not_queued_without_bound()
    {
        var gate = new TaskCompletionSource();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("work", _ => gate.Task)));
        await h.ConnectAsync("s1");

        for (var i = 0; i < BackendSocket.MaxQueuedEvents + 2; i++)
        {
            h.D1.SendPacket("b1", "s1", "2[\"work\"]");
        }

        var command = await h.D1.NextAsync<SocketCommand>();
        Assert.Equal(SocketCommandKind.Disconnect, command.Kind);
        Assert.True(h.Logs.Has(4023));
        gate.SetResult();
    }

    [Fact]
    public void Pending_acknowledgements_are_bounded_and_time_out_on_the_clock()
    {
        var time = new FakeTimeProvider();
        var acks = new PendingAcks(time);
        var answers = Enumerable.Range(0, PendingAcks.Limit).Select(_ => acks.Register("s1", TimeSpan.FromSeconds(1), default)).ToList();

        var error = Assert.Throws<InvalidOperationException>(() => acks.Register("s1", TimeSpan.FromSeconds(1), default));
        Assert.Contains("10000", error.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, PendingAcks.Limit).Select(i => (long)i), answers.Select(a => a.Id));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.All(answers, a => Assert.IsType<TimeoutException>(a.Answer.Exception?.InnerException));
        Assert.Equal(0, acks.Count);
        Assert.Equal(PendingAcks.Limit, acks.Register("s1", TimeSpan.FromSeconds(1), default).Id);
    }

    [Fact]
    public void Cancelling_stops_waiting_for_an_acknowledgement()
    {
        var acks = new PendingAcks(new FakeTimeProvider());
        using var cancel = new CancellationTokenSource();
        var (_, answer) = acks.Register("s1", TimeSpan.FromSeconds(1), cancel.Token);

        cancel.Cancel();

        Assert.True(answer.IsCanceled || answer.Exception?.InnerException is OperationCanceledException);
        Assert.Equal(0, acks.Count);
    }

    [Fact]
    public async Task Configured_json_options_shape_emits_and_bindings()
    {
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On<Point>("echo", p => s.Emit("point", p))),
            configure: o => o.Json = new JsonSerializerOptions { PropertyNamingPolicy = null });
        await h.ConnectAsync("s1");

        h.D1.SendPacket("b1", "s1", """2["echo",{"X":1,"Y":2}]""");

        var sent = await h.SentAsync("s1", "42[\"point\"");
        Assert.Equal(["42[\"point\",{\"X\":1,\"Y\":2}]"], BackendHarness.Text(sent.Frames));
        Assert.DoesNotContain(h.Logs.Errors, _ => true);
    }

    private sealed record Point(int X, int Y);
}
