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
        if (TryHold(channel, message))
        {
            return HeldTask;
        }

        Task<long> sent;
        try
        {
            sent = _subscriber.PublishAsync(RedisChannel.Literal(channel), message);
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

        return sent.IsCompletedSuccessfully ? sent : ObserveAsync(sent, channel);
    }

    private async Task<long> ObserveAsync(Task<long> sent, string channel)
    {
        try
        {
            return await sent.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            BusMetrics.PublishErrors.Add(1);
            Log.PublishFailed(_logger, ex, channel);
            return -1;
        }
    }
}
