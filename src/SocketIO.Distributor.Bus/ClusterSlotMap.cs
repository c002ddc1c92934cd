using System.Net;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Which master serves which hash slots, read from a Redis Cluster node's <c>CLUSTER NODES</c> answer.
/// The bus reads it itself while a node is down, rather than waiting for the library's reconfiguration
/// (which waits for every known node, the dead one included).
/// </summary>
internal sealed class ClusterSlotMap
{
    private const int SlotCount = ClusterSlots.Count;
    private readonly EndPoint?[] _owners = new EndPoint?[SlotCount];
    private readonly long[] _epochs = new long[SlotCount];

    private ClusterSlotMap()
    {
    }

    /// <summary>The masters that serve at least one slot, as "host:port".</summary>
    public HashSet<string> Masters { get; } = new(StringComparer.Ordinal);

    /// <summary>The master serving <paramref name="slot"/>, or null if none does.</summary>
    /// <param name="slot">A hash slot (0-16383).</param>
    /// <returns>Its endpoint, or null.</returns>
    public EndPoint? OwnerOf(int slot) => slot is >= 0 and < SlotCount ? _owners[slot] : null;

    /// <summary>Parses a <c>CLUSTER NODES</c> answer; lines it does not understand are skipped.</summary>
    /// <param name="nodes">The answer: one node per line.</param>
    /// <returns>The map.</returns>
    public static ClusterSlotMap Parse(string nodes) => Merge([nodes]);

    /// <summary>
    /// Merges the <c>CLUSTER NODES</c> answers of several nodes: each slot goes to the master with the
    /// highest config epoch that claims it, as Redis Cluster itself settles conflicting claims. A replica
    /// promoted by a failover knows it first, with a new epoch; the other nodes learn it by gossip.
    /// </summary>
    /// <param name="views">The answers.</param>
    /// <returns>The map.</returns>
    public static ClusterSlotMap Merge(IEnumerable<string> views)
    {
        var map = new ClusterSlotMap();
        foreach (var view in views)
        {
            map.Add(view);
        }

        foreach (var owner in map._owners)
        {
            if (owner is IPEndPoint ip)
            {
                map.Masters.Add($"{ip.Address}:{ip.Port}");
            }
        }

        return map;
    }

    private void Add(string nodes)
    {
        // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>...
        foreach (var line in nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

            // A failed master keeps its slots until a replica takes them over: it is listed as their owner till then.
            if (fields.Length < 9 || !fields[2].Split(',').Contains("master") || !long.TryParse(fields[6], out var epoch))
            {
                continue;
            }

            var address = fields[1].Split('@')[0];
            if (!IPEndPoint.TryParse(address, out var endPoint) || endPoint.Port == 0)
            {
                continue;
            }

            foreach (var range in fields.AsSpan(8))
            {
                if (range.StartsWith('['))
                {
                    // A slot being imported or migrated: still served by this node.
                    continue;
                }

                var dash = range.IndexOf('-');
                if (!int.TryParse(dash < 0 ? range : range[..dash], out var from) || !int.TryParse(dash < 0 ? range : range[(dash + 1)..], out var to))
                {
                    continue;
                }

                for (var slot = Math.Max(from, 0); slot <= Math.Min(to, SlotCount - 1); slot++)
                {
                    if (_owners[slot] is null || epoch > _epochs[slot])
                    {
                        _owners[slot] = endPoint;
                        _epochs[slot] = epoch;
                    }
                }
            }
        }
    }
}
