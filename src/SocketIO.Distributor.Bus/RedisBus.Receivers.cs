using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>Publishing with the receiver count, for noticing at once that nobody listens on an inbox.</summary>
public sealed partial class RedisBus
{
    /// <summary>
    /// The answer of <see cref="PublishCountingReceivers"/> for a message taken by the outage buffer:
    /// not a receiver count, but "the bus delivers it or counts it lost".
    /// </summary>
    public const long HeldReceivers = long.MaxValue;

    private static readonly Task<long> HeldTask = Task.FromResult(HeldReceivers);

    /// <summary>
    /// Publishes without waiting (calls keep their order on the connection, as with <see cref="Publish"/>)
    /// and returns Redis's answer when it arrives: how many subscribers received the message, or -1 when
    /// it could not be published (no connection). On a single Redis, 0 means nobody subscribes to the
    /// channel; on a cluster classic PUBLISH counts only the node that took it
    /// (see <see cref="BusOptions.TrustPublishReceiverCounts"/>). During a Redis outage, and while the
    /// held messages are sent after it (when other processes may not have subscribed again yet), the
    /// message goes to the outage buffer like <see cref="Publish"/> and the answer is
    /// <see cref="HeldReceivers"/>: the buffer delivers it or counts it dropped, so a receiver count
    /// of 0 is never reported for a subscriber that merely has not re-subscribed yet. The returned task never faults.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The encoded message.</param>
    /// <returns>The receiver count, or -1.</returns>
    public Task<long> PublishCountingReceivers(string channel, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ticket = NextTicket();
        if (TryHold(channel, message, ticket))
        {
            return HeldTask;
        }

        var epoch = ConnectionEpoch;
        Task<long> sent;
        try
        {
            sent = _subscriber.PublishAsync(ChannelOf(channel), message);
            BusMetrics.MessagesPublished.Add(1);
            BusMetrics.BytesPublished.Add(message.Length);
        }
        catch (RedisConnectionException ex)
        {
            // The connection is gone (its failure event may not have arrived yet): hold it for the reconnect.
            BusMetrics.PublishErrors.Add(1);
            Log.PublishFailed(_logger, ex, channel);
            HoldAfterFailure(channel, message);
            return HeldTask;
        }
        catch (RedisException ex)
        {
            BusMetrics.PublishErrors.Add(1);
            Log.PublishFailed(_logger, ex, channel);
            return Task.FromResult(-1L);
        }

        if (sent.IsCompletedSuccessfully)
        {
            return Task.FromResult(Judge(sent.Result, epoch, new HeldMessage(channel, message, ticket)));
        }

        Interlocked.Increment(ref _countedPublishesInFlight);
        return ObserveAsync(sent, epoch, new HeldMessage(channel, message, ticket));
    }

    /// <summary>
    /// A count of 0 is only believed when the connection stayed the same from the publish to its answer
    /// and no outage is being recovered from: a publish that StackExchange.Redis kept in its backlog over
    /// an outage and sent on the new connection (or one answered while the held messages are still being
    /// sent) may reach a Redis where the others have not subscribed again yet. Such a message goes to the
    /// outage buffer, which re-sends it until a subscriber takes it (or counts it dropped); it goes in
    /// front of its channel's messages held after it was published, so the channel's order holds.
    /// </summary>
    private long Judge(long receivers, long epoch, HeldMessage published)
    {
        if (receivers != 0 || (epoch == ConnectionEpoch && !_holding))
        {
            return receivers;
        }

        HoldAgain(published, inOrder: true);
        return HeldReceivers;
    }

    private async Task<long> ObserveAsync(Task<long> sent, long epoch, HeldMessage published)
    {
        try
        {
            return Judge(await sent.ConfigureAwait(false), epoch, published);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            BusMetrics.PublishErrors.Add(1);
            Log.PublishFailed(_logger, ex, published.Channel);
            return -1;
        }
        finally
        {
            Interlocked.Decrement(ref _countedPublishesInFlight);
        }
    }
}
