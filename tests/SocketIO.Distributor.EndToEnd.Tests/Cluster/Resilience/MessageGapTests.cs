using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Redis drops pub/sub messages when it disconnects a subscriber that fell behind. Backends number
/// what they publish per channel; a distributor counts the numbers that never arrived.
/// </summary>
public sealed class MessageGapTests
{
    [Fact]
    public async Task A_distributor_counts_the_messages_missing_from_each_senders_channel()
    {
        await using var cluster = TestCluster.Create("gaps");
        var distributor = await cluster.StartDistributorAsync(["/g"]);
        var options = new BusOptions();
        cluster.ConfigureBus(options);
        await using var bus = await RedisBus.ConnectAsync(options, NullLogger.Instance);
        var statistics = distributor.Distributor.Statistics;
        var frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/g", -1, 0, "[\"tick\"]"u8);

        // A broadcast stream on the namespace channel: 1, 2, then 5 (3 and 4 were dropped).
        foreach (var n in new ulong[] { 1, 2, 5 })
        {
            await bus.PublishAsync(bus.Channels.Namespace("/g"), Broadcast("b1", n, frame));
        }

        await Eventually.TrueAsync(() => statistics.BroadcastsReceived == 3, "the three broadcasts arrive");
        Assert.Equal(2, statistics.MessagesLost);

        // Direct messages to the distributor's inbox from another sender: 1, then 3.
        foreach (var n in new ulong[] { 1, 3 })
        {
            await bus.PublishAsync(bus.Channels.Distributor(distributor.Distributor.Id), new SendToSocket("nobody", EmitFlags.None, [frame], "b2", n).Encode());
        }

        await Eventually.TrueAsync(() => statistics.DirectMessagesReceived == 2, "the two direct messages arrive");
        Assert.Equal(3, statistics.MessagesLost);

        // A sender that restarts numbers from 1 again: a new stream, not a gap. Unnumbered messages are ignored.
        await bus.PublishAsync(bus.Channels.Namespace("/g"), Broadcast("b1", 1, frame));
        await bus.PublishAsync(bus.Channels.Namespace("/g"), Broadcast("siod-cli", 0, frame));
        await Eventually.TrueAsync(() => statistics.BroadcastsReceived == 5, "the last broadcasts arrive");
        Assert.Equal(3, statistics.MessagesLost);
    }

    private static byte[] Broadcast(string origin, ulong channelSequence, EngineFrame frame) =>
        new Broadcast("/g", [], [], EmitFlags.None, origin, channelSequence, [frame], channelSequence).Encode();
}
