using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// Batching under load (<see cref="ChannelSequencer"/>, <see cref="MessageBatch"/>): what a burst
/// publishes on a channel arrives whole and in publish order, numbered and unnumbered messages alike,
/// whether or not it went out in batches; a receiver that does not read batches never gets one; a bad
/// batch is dropped without stopping the subscription.
/// </summary>
public sealed class BatchingTests
{
    private const int Burst = 1_000;
    private const int MaxBursts = 20;

    [Fact]
    public async Task A_burst_to_a_receiver_that_reads_batches_goes_out_in_batches_and_arrives_whole_and_in_order()
    {
        var prefix = TestRedis.NewPrefix("batching");
        await using var sender = await RedisBus.ConnectAsync(Options(prefix), NullLogger.Instance);
        await using var receiver = await RedisBus.ConnectAsync(Options(prefix), NullLogger.Instance);
        var channel = prefix + ":d:receiver";
        var received = new ConcurrentQueue<string>();
        await using var subscription = await receiver.SubscribeAsync(channel, bytes => received.Enqueue(Describe(bytes)));
        var sequencer = new ChannelSequencer(sender, readsBatches: _ => true);

        // Bursts until one went out batched (the first publish of a burst is still unanswered when the
        // next is made, so in practice the first burst does); bounded.
        var expected = new List<string>();
        for (var burst = 0; burst < MaxBursts && (sequencer.BatchesPublished == 0 || receiver.BatchesReceived == 0); burst++)
        {
            expected.AddRange(PublishBurst(sequencer, channel, burst));
            await Eventually.TrueAsync(() => received.Count == expected.Count, $"burst {burst}: {expected.Count} messages received");
        }

        Assert.True(sequencer.BatchesPublished > 0, "no batch was published in the bursts");
        Assert.True(sequencer.MessagesBatched >= 2 * sequencer.BatchesPublished);
        Assert.True(receiver.BatchesReceived > 0);
        Assert.Equal(expected, received.ToArray());
    }

    [Fact]
    public async Task A_receiver_that_does_not_read_batches_never_gets_one()
    {
        var prefix = TestRedis.NewPrefix("no-batching");
        await using var sender = await RedisBus.ConnectAsync(Options(prefix), NullLogger.Instance);
        await using var receiver = await RedisBus.ConnectAsync(Options(prefix), NullLogger.Instance);
        var channel = prefix + ":d:old";
        var received = new ConcurrentQueue<string>();
        await using var subscription = await receiver.SubscribeAsync(channel, bytes => received.Enqueue(Describe(bytes)));
        var sequencer = new ChannelSequencer(sender, readsBatches: _ => false);

        var expected = new List<string>();
        for (var burst = 0; burst < 3; burst++)
        {
            expected.AddRange(PublishBurst(sequencer, channel, burst));
        }

        await Eventually.TrueAsync(() => received.Count == expected.Count, $"{expected.Count} messages received");
        Assert.Equal(expected, received.ToArray());
        Assert.Equal(0, sequencer.BatchesPublished);
        Assert.Equal(0, receiver.BatchesReceived);
    }

    [Fact]
    public async Task A_malformed_batch_is_dropped_and_the_messages_after_it_arrive()
    {
        var prefix = TestRedis.NewPrefix("bad-batch");
        await using var sender = await RedisBus.ConnectAsync(Options(prefix), NullLogger.Instance);
        await using var receiver = await RedisBus.ConnectAsync(Options(prefix), NullLogger.Instance);
        var channel = prefix + ":d:receiver";
        var received = new ConcurrentQueue<string>();
        await using var subscription = await receiver.SubscribeAsync(channel, bytes => received.Enqueue(Describe(bytes)));

        // A batch claiming 100 messages but carrying one cut-off block, then a good batch and a single message.
        sender.Publish(channel, [BusMessage.Version, (byte)BusMessageType.Batch, 100, 50, 1, 2]);
        sender.Publish(channel, MessageBatch.Encode([new InboxProbe("a").Encode(), new InboxProbe("b").Encode()]));
        sender.Publish(channel, new InboxProbe("c").Encode());

        await Eventually.TrueAsync(() => received.Count >= 3, "the good messages received");
        Assert.Equal(["probe a", "probe b", "probe c"], received.ToArray());
        Assert.Equal(1, receiver.BatchesReceived);
    }

    /// <summary>A burst of numbered messages with an unnumbered one after every tenth; returns what a receiver must see, in order.</summary>
    private static List<string> PublishBurst(ChannelSequencer sequencer, string channel, int burst)
    {
        var published = new List<string>();
        for (var i = 0; i < Burst; i++)
        {
            var socketId = $"s{burst}.{i}";
            sequencer.Publish(channel, n => new SendToSocket(socketId, EmitFlags.None, [], "b1", n).Encode());
            published.Add(socketId);
            if (i % 10 == 9)
            {
                sequencer.PublishUnnumbered(channel, new InboxProbe($"{burst}.{i}").Encode());
                published.Add($"probe {burst}.{i}");
            }
        }

        return published;
    }

    private static string Describe(ReadOnlyMemory<byte> bytes) => BusMessage.Decode(bytes) switch
    {
        SendToSocket send => send.SocketId,
        InboxProbe probe => "probe " + probe.SenderId,
        var other => other.GetType().Name,
    };

    private static BusOptions Options(string prefix) => new() { Redis = TestRedis.ConnectionString, ChannelPrefix = prefix };
}
