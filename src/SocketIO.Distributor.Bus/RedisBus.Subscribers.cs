using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>Counting the subscribers of channels, for noticing at once that a process's inbox has no listener.</summary>
public sealed partial class RedisBus
{
    /// <summary>
    /// How many subscribers each channel has now (<c>PUBSUB NUMSUB</c>, pipelined: one round trip);
    /// null when the count cannot be trusted or read: on a Redis Cluster or any deployment of several
    /// servers (each counts only its own subscribers), when <see cref="BusOptions.TrustPublishReceiverCounts"/>
    /// is false, during an outage, or when the server does not support the command. A process killed
    /// (even with -9) loses its Redis connection at once, and with it its subscriptions: 0 means nobody
    /// listens on that channel now.
    /// </summary>
    /// <param name="channels">The channels.</param>
    /// <returns>The counts, in the order of <paramref name="channels"/>, or null.</returns>
    public async Task<long[]?> CountSubscribersAsync(IReadOnlyList<string> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0)
        {
            return [];
        }

        if (!Options.TrustPublishReceiverCounts || !IsConnected)
        {
            return null;
        }

        var servers = _connection.GetServers();
        if (servers.Length != 1 || servers[0].ServerType == ServerType.Cluster || !servers[0].IsConnected)
        {
            return null;
        }

        try
        {
            // One PUBSUB NUMSUB per channel, pipelined on one connection (the library applies any
            // channel prefix of the connection string, as it does for SUBSCRIBE).
            var server = servers[0];
            var counts = channels.Select(c => server.SubscriptionSubscriberCountAsync(RedisChannel.Literal(c))).ToList();
            return await Task.WhenAll(counts).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Unsupported, or the connection broke meanwhile: nothing is known.
            return null;
        }
    }
}
