using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>Publishing with the receiver count, for noticing at once that nobody listens on an inbox.</summary>
public sealed partial class RedisBus
{
    /// <summary>
    /// Publishes without waiting (calls keep their order on the connection, as with <see cref="Publish"/>)
    /// and returns Redis's answer when it arrives: how many subscribers received the message, or -1 when
    /// it could not be published (no connection). On a single Redis, 0 means nobody subscribes to the
    /// channel; on a cluster classic PUBLISH counts only the node that took it
    /// (see <see cref="BusOptions.TrustPublishReceiverCounts"/>). The returned task never faults.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The encoded message.</param>
    /// <returns>The receiver count, or -1.</returns>
    public Task<long> PublishCountingReceivers(string channel, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Task<long> sent;
        try
        {
            sent = _subscriber.PublishAsync(RedisChannel.Literal(channel), message);
            BusMetrics.MessagesPublished.Add(1);
            BusMetrics.BytesPublished.Add(message.Length);
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
