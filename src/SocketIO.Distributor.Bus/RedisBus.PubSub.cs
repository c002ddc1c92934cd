using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Classic or sharded pub/sub, chosen once at start (<see cref="BusOptions.PubSubMode"/>). In sharded
/// mode every channel of the bus is a shard channel (<c>SSUBSCRIBE</c>/<c>SPUBLISH</c>): on a Redis
/// Cluster it lives on the master that owns its slot, and its names carry no common hash tag, so a
/// namespace's, a room's and a process's channels spread over the masters.
/// </summary>
public sealed partial class RedisBus
{
    /// <summary>The longest the start-up probe waits for its own sharded message.</summary>
    private static readonly TimeSpan ShardedProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The pub/sub in use: <see cref="PubSubMode.Classic"/> or <see cref="PubSubMode.Sharded"/> (never Auto once connected).</summary>
    public PubSubMode Mode { get; private set; } = PubSubMode.Classic;

    /// <summary>True when the server is a Redis Cluster.</summary>
    public bool IsCluster { get; private set; }

    /// <summary>
    /// Whether a receiver count (a publish's reply, <see cref="CountSubscribersAsync"/>) may be taken to
    /// say that nobody listens on a channel: <see cref="BusOptions.TrustPublishReceiverCounts"/>, unless
    /// the server is a Redis Cluster in classic mode (where PUBLISH counts one node's subscribers only).
    /// In sharded mode a channel's subscribers are all on its owning master, which counts them all.
    /// </summary>
    public bool ReceiverCountsTrusted => Options.TrustPublishReceiverCounts && CountsCoverEveryone;

    /// <summary>True if a receiver count covers every subscriber of the channel (sharded mode, or a single server).</summary>
    private bool CountsCoverEveryone => Mode == PubSubMode.Sharded || !IsCluster;

    /// <summary>The library's channel for a bus channel name, in the mode in use.</summary>
    private RedisChannel ChannelOf(string channel) => Mode == PubSubMode.Sharded ? RedisChannel.Sharded(channel) : RedisChannel.Literal(channel);

    /// <summary>Chooses the mode (see <see cref="BusOptions.PubSubMode"/>) and logs it.</summary>
    private async Task ChooseModeAsync()
    {
        IsCluster = _connection.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        var servers = string.Join(",", _connection.GetServers().Where(s => !s.IsReplica).Select(s => s.EndPoint.ToString()));
        if (Options.PubSubMode == PubSubMode.Classic)
        {
            Mode = PubSubMode.Classic;
            Log.PubSubChosen(_logger, Mode, IsCluster ? "cluster" : "single server", servers, "forced by the options");
            return;
        }

        var failure = await ProbeShardedAsync();
        if (failure is null)
        {
            Mode = PubSubMode.Sharded;
            Log.PubSubChosen(_logger, Mode, IsCluster ? "cluster" : "single server", servers, Options.PubSubMode == PubSubMode.Auto ? "detected" : "forced by the options");
            return;
        }

        if (Options.PubSubMode == PubSubMode.Sharded)
        {
            throw new InvalidOperationException(
                $"PubSubMode is Sharded, but the Redis at '{Options.Redis}' has no working sharded pub/sub ({failure}). " +
                "Use Redis 7 or later or a Redis Cluster, or set PubSubMode to Auto or Classic (siod: --pubsub auto).");
        }

        Mode = PubSubMode.Classic;
        Log.PubSubChosen(_logger, Mode, IsCluster ? "cluster" : "single server", servers, $"no sharded pub/sub: {failure}");
    }

    /// <summary>A sharded round trip (SSUBSCRIBE, SPUBLISH, the message back); null if it works, else why not.</summary>
    private async Task<string?> ProbeShardedAsync()
    {
        var channel = RedisChannel.Sharded($"{Options.ChannelPrefix}:probe:{Guid.NewGuid():N}");
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _subscriber.SubscribeAsync(channel, (_, _) => received.TrySetResult()).WaitAsync(ShardedProbeTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or NotSupportedException)
        {
            return ex.Message;
        }

        try
        {
            await _subscriber.PublishAsync(channel, "probe").WaitAsync(ShardedProbeTimeout);
            await received.Task.WaitAsync(ShardedProbeTimeout);
            return null;
        }
        catch (TimeoutException)
        {
            return $"a sharded message did not come back within {ShardedProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is RedisException or NotSupportedException)
        {
            return ex.Message;
        }
        finally
        {
            try
            {
                await _subscriber.UnsubscribeAsync(channel).WaitAsync(ShardedProbeTimeout);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // The probe's subscription dies with the connection.
            }
        }
    }

    /// <summary>
    /// The subscriber counts of <paramref name="channels"/> now: <c>PUBSUB SHARDNUMSUB</c> on each
    /// channel's owning master in sharded mode, <c>PUBSUB NUMSUB</c> on the single server in classic mode.
    /// </summary>
    /// <exception cref="InvalidOperationException">The counts would not cover every subscriber (classic mode on several servers).</exception>
    private async Task<long[]> CountNowAsync(IReadOnlyList<string> channels)
    {
        if (Mode == PubSubMode.Sharded)
        {
            var counts = channels.Select(async channel =>
            {
                var owner = OwnerOf(channel);
                var reply = await owner.ExecuteAsync("PUBSUB", "SHARDNUMSUB", channel).ConfigureAwait(false);
                var pair = (RedisResult[])reply!;
                return pair.Length >= 2 ? (long)pair[1] : 0L;
            }).ToList();
            return await Task.WhenAll(counts).ConfigureAwait(false);
        }

        var servers = _connection.GetServers();
        if (servers.Length != 1 || servers[0].ServerType == ServerType.Cluster || !servers[0].IsConnected)
        {
            throw new InvalidOperationException("Classic pub/sub over several servers: no server counts every subscriber.");
        }

        // One PUBSUB NUMSUB per channel, pipelined on one connection (the library applies any
        // channel prefix of the connection string, as it does for SUBSCRIBE).
        var server = servers[0];
        return await Task.WhenAll(channels.Select(c => server.SubscriptionSubscriberCountAsync(RedisChannel.Literal(c)))).ConfigureAwait(false);
    }

    /// <summary>
    /// The master that owns <paramref name="channel"/>'s slot: the library's view, or while that names a
    /// node that is down, the last topology read of the bus (a promoted replica).
    /// </summary>
    /// <exception cref="InvalidOperationException">No connected node is known to own the slot.</exception>
    private IServer OwnerOf(string channel)
    {
        var owner = _connection.GetServer((RedisKey)channel);
        if (owner.IsConnected)
        {
            return owner;
        }

        ClusterSlotMap? nodes;
        lock (_topologyGate)
        {
            nodes = _clusterNodes;
        }

        if (nodes?.OwnerOf(_connection.HashSlot(channel)) is { } endPoint && _connection.GetServer(endPoint) is { IsConnected: true } promoted)
        {
            return promoted;
        }

        throw new InvalidOperationException($"The owner of {channel}'s slot ({owner.EndPoint}) is not connected.");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Bus pub/sub: {Mode} on a {Deployment} ({Servers}); {Reason}")]
        public static partial void PubSubChosen(ILogger logger, PubSubMode mode, string deployment, string servers, string reason);
    }
}
