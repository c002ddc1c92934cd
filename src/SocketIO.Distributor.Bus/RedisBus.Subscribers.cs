using System.Collections.Concurrent;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>Counting the subscribers of channels, for noticing at once that a process's inbox has no listener.</summary>
public sealed partial class RedisBus
{
    /// <summary>The bus channels this process subscribes to, with how many subscriptions each has here.</summary>
    private readonly ConcurrentDictionary<string, int> _subscribedChannels = new(StringComparer.Ordinal);

    /// <summary>Forgets one subscription of <paramref name="channel"/> (its <see cref="BusSubscription"/> was disposed).</summary>
    internal void OnUnsubscribed(string channel)
    {
        while (_subscribedChannels.TryGetValue(channel, out var count))
        {
            if (count <= 1 ? _subscribedChannels.TryRemove(new KeyValuePair<string, int>(channel, count)) : _subscribedChannels.TryUpdate(channel, count - 1, count))
            {
                return;
            }
        }
    }

    /// <summary>
    /// How many subscribers each channel has now (<c>PUBSUB NUMSUB</c>, pipelined: one round trip);
    /// null when the count cannot be trusted or read: on a Redis Cluster in classic mode (each node counts
    /// only its own subscribers; in sharded mode <c>PUBSUB SHARDNUMSUB</c> asks each channel's owning
    /// master, which counts them all), when <see cref="ReceiverCountsTrusted"/> is false, during an outage, or when the server does not support the command. A process killed
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

        if (!ReceiverCountsTrusted || !IsConnected)
        {
            return null;
        }

        try
        {
            return await CountNowAsync(channels).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException or InvalidCastException)
        {
            // Unsupported, or the connection broke meanwhile: nothing is known.
            return null;
        }
    }
}
