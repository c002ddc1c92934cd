using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>Counting the subscribers of channels, for noticing at once that a process's inbox has no listener.</summary>
public sealed partial class RedisBus
{
    /// <summary>
    /// How many subscribers each channel has now, in one <c>PUBSUB NUMSUB ch1 ch2 ...</c> round trip;
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

        var args = new object[channels.Count + 1];
        args[0] = "NUMSUB";
        for (var i = 0; i < channels.Count; i++)
        {
            args[i + 1] = channels[i];
        }

        try
        {
            var reply = await servers[0].ExecuteAsync("PUBSUB", args).ConfigureAwait(false);
            return ParseNumsub(reply, channels);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Unsupported, or the connection broke meanwhile: nothing is known.
            return null;
        }
    }

    /// <summary>Reads <c>[ch1, n1, ch2, n2, ...]</c>; null when the reply does not have that shape.</summary>
    private static long[]? ParseNumsub(RedisResult reply, IReadOnlyList<string> channels)
    {
        if (reply.Resp2Type != ResultType.Array || reply.Length != channels.Count * 2)
        {
            return null;
        }

        var counts = new long[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            if ((string?)reply[2 * i] != channels[i] || !long.TryParse(reply[(2 * i) + 1].ToString(), out counts[i]))
            {
                return null;
            }
        }

        return counts;
    }
}
