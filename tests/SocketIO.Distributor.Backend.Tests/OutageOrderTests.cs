using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// A stream of messages on one process's inbox (what a distributor sends a backend: a socket's events,
/// in order) across a real redis-server killed with SIGKILL and restarted on the same port. Messages
/// published just before the outage was noticed wait in the client library's backlog, go out on the
/// new connection before the receiver has subscribed again, and are held again by the bus: they must
/// take their place in front of the messages held after them, not behind them.
/// </summary>
public sealed class OutageOrderTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);

    /// <summary>Bounds the publishing loop whatever happens.</summary>
    private const int MaxMessages = 40_000;

    [Fact]
    public async Task An_inbox_stream_published_across_a_Redis_restart_arrives_in_publish_order()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var options = Options(redis, "order", memberTimeout: TimeSpan.FromSeconds(1));
        using var logs = new TestLogs();
        await using var sender = await RedisBus.ConnectAsync(options, logs.CreateLogger("sender"));
        await using var receiver = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        var inbox = receiver.Channels.Backend("receiver");
        var received = new ConcurrentQueue<long>();
        await using var subscription = await receiver.SubscribeAsync(inbox, m => received.Enqueue(BinaryPrimitives.ReadInt64LittleEndian(m.Span)));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var published = 0L;
        var publishing = Task.Run(async () =>
        {
            // About one message per millisecond, numbered 1, 2, 3... in publish order, as an inbox's sequencer does.
            while (!stop.IsCancellationRequested && published < MaxMessages)
            {
                _ = sender.PublishCountingReceivers(inbox, Number(Interlocked.Increment(ref published)));
                await Task.Delay(1);
            }
        });

        await Eventually.TrueAsync(() => received.Count >= 200, "the stream flows before the fault");
        await redis.KillAsync();
        await Eventually.TrueAsync(() => !sender.IsConnected && !receiver.IsConnected, "both noticed the outage");
        await Task.Delay(Outage); // the fault itself: Redis is down for 2 s
        await redis.RestartAsync();
        await Eventually.TrueAsync(() => sender.IsConnected && receiver.IsConnected && !sender.PublishesHeld, "both reconnected and the held messages are sent", TimeSpan.FromSeconds(20));
        var afterFlush = Interlocked.Read(ref published);
        await Eventually.TrueAsync(() => received.Count > 0 && received.Last() > afterFlush + 200, "200 more messages arrive after the flush");
        await stop.CancelAsync();
        await publishing;

        var order = received.ToArray();
        var backwards = order.Zip(order.Skip(1)).Where(p => p.Second <= p.First).ToList();
        var gaps = order.Zip(order.Skip(1)).Where(p => p.Second > p.First + 1).Sum(p => p.Second - p.First - 1);
        foreach (var entry in logs.Entries)
        {
            output.WriteLine($"sender: {entry.Level} {entry.Message} {entry.Exception?.Message}");
        }

        var duplicates = order.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).Order().ToList();
        output.WriteLine($"{duplicates.Count} duplicate(s): {Ranges(duplicates)}");
        output.WriteLine($"published {Interlocked.Read(ref published)}, received {order.Length}; {sender.MessagesHeldInOutage} held in the outage; " +
            $"{gaps} missing (lost as Redis died); {backwards.Count} step(s) backwards: {string.Join(", ", backwards.Take(10).Select(p => $"{p.First}->{p.Second}"))}");
        Assert.True(sender.MessagesHeldInOutage > 0, "the fault must hold messages, or this test shows nothing");
        Assert.Empty(backwards);
        Assert.Empty(duplicates);
    }

    [Fact]
    public async Task An_inbox_whose_subscriber_comes_back_late_gets_the_held_messages_once_each_in_order()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        // The settling period (one member timeout) is long enough for the subscriber to come back within it.
        var options = Options(redis, "order-late", memberTimeout: TimeSpan.FromSeconds(4));
        await using var sender = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        var inbox = sender.Channels.Backend("late");
        var received = new ConcurrentQueue<long>();
        void Receive(ReadOnlyMemory<byte> m) => received.Enqueue(BinaryPrimitives.ReadInt64LittleEndian(m.Span));
        var first = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        await first.SubscribeAsync(inbox, Receive);
        for (var n = 1L; n <= 100; n++)
        {
            await sender.PublishAsync(inbox, Number(n));
        }

        await Eventually.TrueAsync(() => received.Count == 100, "100 messages before the fault");

        // The subscriber's process goes away with Redis, and its successor subscribes only well after the sender is back.
        await redis.KillAsync();
        await Eventually.TrueAsync(() => sender.PublishesHeld, "the sender holds its publishes");
        await first.DisposeAsync();
        for (var n = 101L; n <= 1_100; n++)
        {
            Assert.Equal(RedisBus.HeldReceivers, await sender.PublishCountingReceivers(inbox, Number(n)));
        }

        await redis.RestartAsync();
        await Eventually.TrueAsync(() => sender.IsConnected, "the sender reconnected");
        Assert.True(sender.PublishesHeld && sender.MessagesWaiting > 0, "the held messages wait for the inbox's subscriber");
        await using var second = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        await second.SubscribeAsync(inbox, Receive);
        await Eventually.TrueAsync(() => !sender.PublishesHeld, "the held messages are sent", TimeSpan.FromSeconds(20));
        await sender.PublishAsync(inbox, Number(1_101));
        await Eventually.TrueAsync(() => received.Contains(1_101), "a message after the flush arrives");

        var order = received.ToArray();
        output.WriteLine($"received {order.Length}: {Ranges([.. order])}");
        Assert.Equal(Enumerable.Range(1, 1_101).Select(n => (long)n), order);
    }

    private static BusOptions Options(RedisServerProcess redis, string name, TimeSpan memberTimeout) => new()
    {
        Redis = redis.ConnectionString,
        ChannelPrefix = TestRedis.NewPrefix(name),
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        MemberTimeout = memberTimeout,
    };

    private static byte[] Number(long n)
    {
        var message = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(message, n);
        return message;
    }

    private static string Ranges(List<long> numbers)
    {
        var ranges = new List<string>();
        for (var i = 0; i < numbers.Count;)
        {
            var j = i;
            while (j + 1 < numbers.Count && numbers[j + 1] == numbers[j] + 1)
            {
                j++;
            }

            ranges.Add(i == j ? $"{numbers[i]}" : $"{numbers[i]}-{numbers[j]}");
            i = j + 1;
        }

        return string.Join(", ", ranges.Take(20));
    }
}
