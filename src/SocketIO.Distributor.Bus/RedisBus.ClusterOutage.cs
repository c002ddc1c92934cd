using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// One master of a Redis Cluster down. Its connection counts as broken (publishes are held, absences
/// are not acted on, as in any outage) until either it comes back or the cluster has moved its slots to
/// another master (a replica promoted by a failover): a node that serves no slot any more is no part of
/// the outage. While a cluster connection is broken, the bus reads <c>CLUSTER NODES</c> itself from a
/// node that answers every <see cref="TopologyRefreshInterval"/> (<see cref="ClusterSlotMap"/>). When the
/// slots changed hands it sends the sharded subscriptions of the moved slots to their new owner at once,
/// and has the library re-read the topology in the background. The library's own re-read
/// (<c>ConfigureAsync</c>) is not waited for: it waits for every known node, the dead master included,
/// until that node's next reconnect attempt fails (2.5–3 s measured), and only then moves the
/// subscriptions. Publishes need no help: a command for a slot whose owner is down goes to another node,
/// whose MOVED answer points the library at the promoted master.
/// </summary>
public sealed partial class RedisBus
{
    /// <summary>How often the cluster's topology is re-read while a connection to one of its nodes is broken.</summary>
    private static readonly TimeSpan TopologyRefreshInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How many rounds (one per <see cref="TopologyRefreshInterval"/>) the bus tries to put misplaced sharded subscriptions on their owner before leaving them to the library.</summary>
    private const int SubscriptionMoveAttempts = 50;

    /// <summary>The longest a topology read (or the re-subscription of one channel) may take.</summary>
    private static readonly TimeSpan TopologyReadTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How often broken connections are checked: on a cluster as often as the topology is re-read (a failover is over as soon as it shows).</summary>
    private TimeSpan RecheckPeriod => IsCluster ? TopologyRefreshInterval : RecheckInterval;

    private readonly Lock _topologyGate = new();
    private HashSet<string>? _slotServers;
    private ClusterSlotMap? _clusterNodes;
    private Task? _topologyRefresh;
    private Task? _reconfigure;
    private Task? _subscriptionMove;
    private int _movingSubscriptions;
    private long _topologyReadAt;

    /// <summary>True if <paramref name="endPoint"/> is a cluster node that the last topology read shows serving no slot (a failed master replaced by its replica, or a replica).</summary>
    private bool ServesNoSlot(EndPoint? endPoint)
    {
        if (!IsCluster || endPoint is null)
        {
            return false;
        }

        lock (_topologyGate)
        {
            return _slotServers is { } servers && !servers.Contains(Normalize(endPoint));
        }
    }

    /// <summary>Starts a topology read unless one is running or one finished less than <see cref="TopologyRefreshInterval"/> ago.</summary>
    private void RefreshTopologyIfDue()
    {
        if (!IsCluster)
        {
            return;
        }

        lock (_topologyGate)
        {
            if (_topologyRefresh is { IsCompleted: false } || (_topologyReadAt != 0 && _time.GetElapsedTime(_topologyReadAt) < TopologyRefreshInterval))
            {
                return;
            }

            _topologyReadAt = _time.GetTimestamp();
            _topologyRefresh = RefreshTopologyAsync();
        }
    }

    private async Task RefreshTopologyAsync()
    {
        try
        {
            await Task.Yield();

            // Our own read of CLUSTER NODES from a node that answers, not the library's reconfiguration:
            // that one waits for every known node, the dead master included, up to the connect timeout.
            var nodes = await ReadClusterNodesAsync().ConfigureAwait(false);
            if (nodes is null)
            {
                return;
            }

            var servers = nodes.Masters;
            bool changed;
            lock (_topologyGate)
            {
                changed = _slotServers is not null && !_slotServers.SetEquals(servers);
                _slotServers = servers;
                _clusterNodes = nodes;
            }

            if (changed)
            {
                // A failed master keeps its slots until a replica takes them over: only then is it no part of the outage.
                Log.TopologyChanged(_logger, string.Join(",", servers.Order(StringComparer.Ordinal)));
                ReconfigureInBackground();
            }

            // Checked at every reading, not only at a change: a first reading may already show the new
            // owner, and a request to move a subscription may have timed out.
            lock (_topologyGate)
            {
                _subscriptionMove = _subscriptionMove is { IsCompleted: false } ? _subscriptionMove : MoveSubscriptionsAsync(nodes);
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Log.TopologyReadFailed(_logger, ex.Message);
        }
    }

    /// <summary>
    /// CLUSTER NODES from every connected node (masters and replicas, in parallel), merged by config epoch:
    /// the replica that was just promoted knows it before gossip tells the others. Null if no node answers.
    /// </summary>
    private async Task<ClusterSlotMap?> ReadClusterNodesAsync()
    {
        var reads = _connection.GetServers()
            .Where(s => s.IsConnected && s.ServerType == ServerType.Cluster)
            .Select(async server =>
            {
                try
                {
                    var reply = await server.ExecuteAsync("CLUSTER", "NODES").WaitAsync(TopologyReadTimeout).ConfigureAwait(false);
                    return reply.IsNull ? null : reply.ToString();
                }
                catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException or ObjectDisposedException)
                {
                    return null;
                }
            })
            .ToList();
        var views = (await Task.WhenAll(reads).ConfigureAwait(false)).OfType<string>().ToList();
        return views.Count == 0 ? null : ClusterSlotMap.Merge(views);
    }

    /// <summary>
    /// Sends every sharded subscription that is not on its slot's owner (per <paramref name="now"/>) to
    /// that owner, until each is there or <see cref="SubscriptionMoveAttempts"/> rounds have passed (one
    /// mover at a time; it runs on after the outage is over). The library moves them only at the end of
    /// its own reconfiguration, which waits for the dead node; asking it to subscribe a channel whose
    /// subscription has no live server sends SSUBSCRIBE to the slot's owner (following the MOVED answer of
    /// any other node). A request that times out on a busy machine is simply made again next round.
    /// </summary>
    private async Task MoveSubscriptionsAsync(ClusterSlotMap now)
    {
        if (Mode != PubSubMode.Sharded || Interlocked.Exchange(ref _movingSubscriptions, 1) != 0)
        {
            return;
        }

        try
        {
            for (var round = 0; round < SubscriptionMoveAttempts; round++)
            {
                var misplaced = MisplacedSubscriptions(now);
                if (misplaced.Count == 0)
                {
                    return;
                }

                foreach (var (channel, owner) in misplaced)
                {
                    try
                    {
                        var sharded = RedisChannel.Sharded(channel);
                        await _subscriber.SubscribeAsync(sharded, Nudge).WaitAsync(TopologyReadTimeout).ConfigureAwait(false);
                        await _subscriber.UnsubscribeAsync(sharded, Nudge).WaitAsync(TopologyReadTimeout).ConfigureAwait(false);
                        Log.Resubscribed(_logger, channel, owner);
                    }
                    catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException)
                    {
                        Log.TopologyReadFailed(_logger, $"re-subscribing {channel} on {owner}: {ex.Message}");
                    }
                }

                await Task.Delay(TopologyRefreshInterval, _time).ConfigureAwait(false);
                lock (_topologyGate)
                {
                    now = _clusterNodes ?? now;
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or ArgumentException)
        {
            // The bus is being disposed, or the node left the library's view: the next reading starts again.
            Log.TopologyReadFailed(_logger, $"moving subscriptions: {ex.Message}");
        }
        finally
        {
            Interlocked.Exchange(ref _movingSubscriptions, 0);
        }
    }

    /// <summary>The subscribed channels whose subscription is not on the master that owns their slot, with that master.</summary>
    private List<(string Channel, string Owner)> MisplacedSubscriptions(ClusterSlotMap now)
    {
        var misplaced = new List<(string, string)>();
        foreach (var channel in _subscribedChannels.Keys)
        {
            // An owner that is down (a failed master before its replica takes over) is no place to move to.
            if (now.OwnerOf(_connection.HashSlot(channel)) is not { } owner || !_connection.GetServer(owner).IsConnected)
            {
                continue;
            }

            var on = _subscriber.SubscribedEndpoint(RedisChannel.Sharded(channel));
            if (on is null || Normalize(on) != Normalize(owner))
            {
                misplaced.Add((channel, Normalize(owner)));
            }
        }

        return misplaced;
    }

    /// <summary>Has the library re-read the topology too (its slot map and its own bookkeeping), without waiting for it.</summary>
    private void ReconfigureInBackground()
    {
        lock (_topologyGate)
        {
            if (_reconfigure is { IsCompleted: false })
            {
                return;
            }

            _reconfigure = ReconfigureAsync();
        }
    }

    private async Task ReconfigureAsync()
    {
        try
        {
            await _connection.ConfigureAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Log.TopologyReadFailed(_logger, ex.Message);
        }
    }

    private static void Nudge(RedisChannel channel, RedisValue message)
    {
        // The subscription's other handlers (the bus's queue) take the messages.
    }

    private static string Normalize(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => $"{(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)}:{ip.Port}",
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? string.Empty,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Redis Cluster topology changed: the slots are now served by {Masters}; routing commands and sharded subscriptions there")]
        public static partial void TopologyChanged(ILogger logger, string masters);

        [LoggerMessage(EventId = 3014, Level = LogLevel.Debug, Message = "Reading the Redis Cluster topology failed: {Reason}")]
        public static partial void TopologyReadFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 3016, Level = LogLevel.Information, Message = "Sharded subscription {Channel} sent to its new owner {Master}")]
        public static partial void Resubscribed(ILogger logger, string channel, string master);
    }
}
