using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// One master of a Redis Cluster down. Its connection counts as broken (publishes are held, absences
/// are not acted on, as in any outage) until either it comes back or the cluster has moved its slots to
/// another master (a replica promoted by a failover): a node that serves no slot any more is no part of
/// the outage. While a cluster connection is broken, the bus has the library re-read the cluster's topology
/// (<c>CLUSTER NODES</c>, <c>ConfigureAsync</c>) every <see cref="TopologyRefreshInterval"/>, so that StackExchange.Redis routes
/// commands and sharded subscriptions to the promoted master instead of waiting for the dead one (it
/// would otherwise learn of the failover only from a MOVED reply, which a dead node never sends).
/// </summary>
public sealed partial class RedisBus
{
    /// <summary>How often the cluster's topology is re-read while a connection to one of its nodes is broken.</summary>
    private static readonly TimeSpan TopologyRefreshInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How often broken connections are checked: on a cluster as often as the topology is re-read (a failover is over as soon as it shows).</summary>
    private TimeSpan RecheckPeriod => IsCluster ? TopologyRefreshInterval : RecheckInterval;

    private readonly Lock _topologyGate = new();
    private HashSet<string>? _slotServers;
    private Task? _topologyRefresh;
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

            // The library re-reads CLUSTER NODES (no admin mode needed) and routes commands and sharded
            // subscriptions to the masters that serve the slots now.
            await _connection.ConfigureAsync().ConfigureAwait(false);
            var nodes = _connection.GetServers().FirstOrDefault(s => s.IsConnected && s.ServerType == ServerType.Cluster)?.ClusterConfiguration;
            if (nodes is null)
            {
                return;
            }

            var servers = nodes.Nodes
                .Where(n => !n.IsReplica && n.Slots.Count > 0 && n.EndPoint is not null)
                .Select(n => Normalize(n.EndPoint!))
                .ToHashSet(StringComparer.Ordinal);
            bool changed;
            lock (_topologyGate)
            {
                changed = _slotServers is not null && !_slotServers.SetEquals(servers);
                _slotServers = servers;
            }

            if (changed)
            {
                // A failed master keeps its slots until a replica takes them over: only then is it no part of the outage.
                Log.TopologyChanged(_logger, string.Join(",", servers.Order(StringComparer.Ordinal)));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Log.TopologyReadFailed(_logger, ex.Message);
        }
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
    }
}
