using System.Text;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>One master of the bus's Redis and the live channels of a deployment on it.</summary>
/// <param name="Endpoint">The master's address.</param>
/// <param name="Slots">How many hash slots it serves (16384 on a single server).</param>
/// <param name="Channels">How many of the deployment's channels have subscribers on it now.</param>
public sealed record BusMaster(string Endpoint, int Slots, int Channels);

/// <summary>How the bus's pub/sub is laid out (for <c>siod status</c>).</summary>
/// <param name="Mode">Classic or sharded.</param>
/// <param name="IsCluster">True on a Redis Cluster.</param>
/// <param name="Masters">Each master, with its slots and the deployment's live channels on it.</param>
public sealed record BusLayout(PubSubMode Mode, bool IsCluster, IReadOnlyList<BusMaster> Masters);

/// <summary>Where the deployment's live channels are (<c>PUBSUB CHANNELS</c> or <c>PUBSUB SHARDCHANNELS</c> on each master).</summary>
public sealed partial class RedisBus
{
    /// <summary>
    /// The mode, and for each master its slots and how many of this deployment's channels (those under
    /// <see cref="BusOptions.ChannelPrefix"/>) have subscribers on it now: sharded channels on the master
    /// that owns their slot, classic channels on whichever node the subscriber is connected to.
    /// </summary>
    /// <returns>The layout.</returns>
    public async Task<BusLayout> DescribeLayoutAsync()
    {
        var pattern = Glob(Options.ChannelPrefix) + ":*";
        var masters = _connection.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToList();
        var slots = SlotsByEndpoint();
        var result = new List<BusMaster>();
        foreach (var server in masters)
        {
            int channels;
            if (Mode == PubSubMode.Sharded)
            {
                var reply = await server.ExecuteAsync("PUBSUB", "SHARDCHANNELS", pattern).ConfigureAwait(false);
                channels = reply.Length;
            }
            else
            {
                channels = (await server.SubscriptionChannelsAsync(RedisChannel.Pattern(pattern)).ConfigureAwait(false)).Length;
            }

            var endpoint = Normalize(server.EndPoint);
            var served = IsCluster ? slots.GetValueOrDefault(endpoint) : 16384;
            if (IsCluster && served == 0)
            {
                // A master that serves no slot (being added, or failed over) holds no shard channel.
                continue;
            }

            result.Add(new BusMaster(endpoint, served, channels));
        }

        return new BusLayout(Mode, IsCluster, [.. result.OrderBy(m => m.Endpoint, StringComparer.Ordinal)]);
    }

    private Dictionary<string, int> SlotsByEndpoint()
    {
        var configuration = _connection.GetServers().FirstOrDefault(s => s.IsConnected && s.ServerType == ServerType.Cluster)?.ClusterConfiguration;
        return configuration is null
            ? []
            : configuration.Nodes
                .Where(n => !n.IsReplica && n.EndPoint is not null)
                .GroupBy(n => Normalize(n.EndPoint!))
                .ToDictionary(g => g.Key, g => g.Sum(n => n.Slots.Sum(r => r.To - r.From + 1)), StringComparer.Ordinal);
    }

    /// <summary>Escapes the glob characters of a literal (a prefix) for PUBSUB's pattern.</summary>
    private static string Glob(string literal)
    {
        var escaped = new StringBuilder(literal.Length);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
