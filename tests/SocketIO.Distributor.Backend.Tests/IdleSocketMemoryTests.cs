using System.Text;
using System.Text.Json;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// Issue 13 (idle memory): a backend socket that is connected and idle keeps its handshake as bytes
/// and holds no handler queue, ack table or data dictionary; the lazy parts still behave as before.
/// Allocations are counted on the test's own thread, so the figures do not depend on other tests.
/// </summary>
public sealed class IdleSocketMemoryTests
{
    private static readonly byte[] HandshakeJson = Encoding.UTF8.GetBytes(
        """{"headers":{"host":"127.0.0.1:1","user-agent":"node-XMLHttpRequest","accept":"*/*","connection":"Upgrade","upgrade":"websocket","sec-websocket-version":"13","sec-websocket-key":"dGhlIHNhbXBsZSBub25jZQ=="},"query":{"EIO":"4","transport":"websocket","room":"lobby"},"auth":{"token":"t1"},"address":"127.0.0.1","url":"/socket.io/?EIO=4&transport=websocket&room=lobby","secure":false,"xdomain":false,"issued":1700000000000,"time":"2026-12-01T00:00:00Z","extra":{"tenant":"a"}}""");

    [Fact]
    public void A_parsed_handshake_keeps_only_its_bytes_until_a_field_is_read()
    {
        SocketHandshake.Parse(HandshakeJson); // JIT and statics outside the measured call

        var before = GC.GetAllocatedBytesForCurrentThread();
        var handshake = SocketHandshake.Parse(HandshakeJson);
        var parseBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        // The copy of the JSON (its length plus the array header) and the handshake object: no dictionaries, no strings.
        Assert.InRange(parseBytes, HandshakeJson.Length, HandshakeJson.Length + 160);

        // Read on first use, the same as an eager parse gave.
        Assert.Equal("websocket", handshake.Headers["Upgrade"]);
        Assert.Equal("lobby", handshake.Query["room"]);
        Assert.Equal("t1", handshake.Auth.GetProperty("token").GetString());
        Assert.Equal("127.0.0.1", handshake.Address);
        Assert.Equal(1700000000000, handshake.Issued);
        Assert.Equal("a", handshake.Extra!.Value.GetProperty("tenant").GetString());
        Assert.Same(handshake.Headers, handshake.Headers);
        Assert.Equal(HandshakeJson, handshake.Json.ToArray());
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"text\"")]
    [InlineData("{\"headers\":")]
    [InlineData("{} {}")]
    [InlineData("")]
    public void A_handshake_that_is_not_one_json_object_is_refused_at_connect_not_on_first_read(string json)
    {
        Assert.ThrowsAny<JsonException>(() => SocketHandshake.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void An_idle_handler_queue_holds_no_queue()
    {
        // One error delegate for both: the measured allocation is the queue's own, not the lambda's first use.
        Action<Exception, object?> ignore = static (_, _) => { };
        var queue = new HandlerQueue(10, ignore);
        var before = GC.GetAllocatedBytesForCurrentThread();
        _ = new HandlerQueue(10, ignore);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        // The object and its lock: the ConcurrentQueue it used to hold (~800 B with its first segment) is gone.
        Assert.InRange(bytes, 1, 160);
        Assert.True(queue.IsIdle);
    }

    [Fact]
    public async Task A_handler_queue_runs_items_one_at_a_time_in_order_across_idle_periods_and_bursts()
    {
        var queue = new HandlerQueue(1_000, static (_, _) => { });
        var seen = new List<int>();
        var running = 0;
        var overlapped = 0;
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Func<Task> Work(int n) => async () =>
        {
            if (Interlocked.Increment(ref running) > 1)
            {
                Interlocked.Increment(ref overlapped);
            }

            await Task.Yield();
            lock (seen)
            {
                seen.Add(n);
            }

            Interlocked.Decrement(ref running);
            if (n == 999)
            {
                last.SetResult();
            }
        };

        // Bursts of 1, 2, ... items, each after the queue drained, so both the single-item field and the queue are used.
        var next = 0;
        for (var burst = 1; next < 1_000; burst++)
        {
            for (var i = 0; i < burst && next < 1_000; i++)
            {
                Assert.True(queue.TryEnqueue(Work(next++)));
            }

            await Eventually.TrueAsync(() => queue.IsIdle || next == 1_000, "the burst drained");
        }

        await last.Task.WithTimeout("the last item");
        await Eventually.TrueAsync(() => queue.IsIdle, "the queue drained");
        Assert.Equal(Enumerable.Range(0, 1_000), seen);
        Assert.Equal(0, overlapped);
    }

    [Fact]
    public async Task A_full_handler_queue_refuses_more_unless_forced_and_a_throwing_item_stops_nothing()
    {
        var errors = 0;
        var gate = new TaskCompletionSource();
        var queue = new HandlerQueue(3, (_, _) => Interlocked.Increment(ref errors));
        var ran = 0;

        Assert.True(queue.TryEnqueue(() => gate.Task));
        Assert.True(queue.TryEnqueue(() => throw new InvalidOperationException("handler bug")));
        Assert.True(queue.TryEnqueue(() => { Interlocked.Increment(ref ran); return Task.CompletedTask; }));
        Assert.False(queue.TryEnqueue(() => Task.CompletedTask));
        Assert.True(queue.TryEnqueue(() => { Interlocked.Increment(ref ran); return Task.CompletedTask; }, force: true));

        gate.SetResult();
        await Eventually.TrueAsync(() => queue.IsIdle, "the queue drained");
        Assert.Equal(2, ran);
        Assert.Equal(1, errors);
    }
}
