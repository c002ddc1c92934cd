using System.Globalization;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.Testing.Resp;

/// <summary>One line of <c>CLUSTER NODES</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Port">Its port on loopback.</param>
/// <param name="Flags">Its flags (<c>myself,master</c>, <c>slave</c>, <c>fail</c>, ...).</param>
/// <param name="MasterId">The id of its master when it is a replica, else <c>-</c>.</param>
/// <param name="LinkDown">True when the answering node's link to it is down.</param>
/// <param name="Ranges">The slot ranges it serves (<c>start</c>, <c>end</c>, inclusive).</param>
public sealed record ClusterNode(string Id, int Port, string Flags, string MasterId, bool LinkDown, IReadOnlyList<(int Start, int End)> Ranges)
{
    /// <summary>True for a master.</summary>
    public bool IsMaster => Flags.Contains("master", StringComparison.Ordinal);

    /// <summary>True for a replica.</summary>
    public bool IsReplica => Flags.Contains("slave", StringComparison.Ordinal);

    /// <summary>True when the cluster agreed that it failed.</summary>
    public bool Failed => Flags.Split(',').Contains("fail");

    /// <summary>How many slots it serves.</summary>
    public int SlotCount => Ranges.Sum(r => r.End - r.Start + 1);

    /// <summary>Its slot ranges as text, e.g. <c>0-5460</c>.</summary>
    public string Slots => string.Join(" ", Ranges.Select(r => r.Start == r.End ? $"{r.Start}" : $"{r.Start}-{r.End}"));

    /// <summary>True if it serves <paramref name="slot"/>.</summary>
    /// <param name="slot">A hash slot.</param>
    /// <returns>True if served here.</returns>
    public bool Serves(int slot) => Ranges.Any(r => slot >= r.Start && slot <= r.End);
}

/// <summary>Admin commands on the nodes of a <see cref="RedisCluster"/>, through <c>redis-cli</c>.</summary>
public sealed partial class RedisCluster
{
    /// <summary>Runs one command on one node; returns its output (arrays one element a line), trimmed.</summary>
    /// <param name="port">The node's port.</param>
    /// <param name="arguments">The command and its arguments.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="InvalidOperationException">The node is unreachable or answered an error.</exception>
    public async Task<string> CommandAsync(int port, params string[] arguments) =>
        await TryCommandAsync(port, arguments) ?? throw new InvalidOperationException($"redis-cli -p {port} {string.Join(' ', arguments)} failed");

    /// <summary>Runs one command on one node; null when the node is unreachable or answered an error.</summary>
    /// <param name="port">The node's port.</param>
    /// <param name="arguments">The command and its arguments.</param>
    /// <returns>The reply, or null.</returns>
    public async Task<string?> TryCommandAsync(int port, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        List<string> all = ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments];
        var result = await ChildProcess.RunAsync(Cli, all, _directory, CommandTimeout, MissingHint);
        var output = result.Stdout.Trim();
        if (result.ExitCode != 0 || output.StartsWith("ERR", StringComparison.Ordinal) || output.StartsWith("Could not connect", StringComparison.Ordinal)
            || output.StartsWith("MOVED", StringComparison.Ordinal) || output.StartsWith("CLUSTERDOWN", StringComparison.Ordinal))
        {
            return null;
        }

        return output;
    }

    /// <summary>The cluster as one node sees it (<c>CLUSTER NODES</c>).</summary>
    /// <param name="port">The node to ask (any running node by default).</param>
    /// <returns>The nodes; empty when the node cannot answer.</returns>
    public async Task<IReadOnlyList<ClusterNode>> NodesAsync(int? port = null)
    {
        var text = await TryCommandAsync(port ?? RunningPorts[0], "CLUSTER", "NODES");
        if (text is null)
        {
            return [];
        }

        var nodes = new List<ClusterNode>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length < 8)
            {
                continue;
            }

            var address = parts[1].Split('@')[0];
            var nodePort = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var ranges = new List<(int, int)>();
            foreach (var slot in parts.Skip(8).Where(s => !s.StartsWith('[')))
            {
                var bounds = slot.Split('-');
                ranges.Add((int.Parse(bounds[0], CultureInfo.InvariantCulture), int.Parse(bounds[^1], CultureInfo.InvariantCulture)));
            }

            nodes.Add(new ClusterNode(parts[0], nodePort, parts[2], parts[3], parts[7] != "connected", ranges));
        }

        return nodes;
    }

    /// <summary>The live masters that serve slots, as a running node sees them.</summary>
    /// <returns>The masters.</returns>
    public async Task<IReadOnlyList<ClusterNode>> MastersAsync() =>
        [.. (await NodesAsync()).Where(n => n.IsMaster && !n.Failed && n.SlotCount > 0).OrderBy(n => n.Port)];

    /// <summary>The hash slot of a key or shard channel (<c>CLUSTER KEYSLOT</c>).</summary>
    /// <param name="name">The key or channel.</param>
    /// <returns>The slot.</returns>
    public async Task<int> SlotOfAsync(string name) =>
        int.Parse(await CommandAsync(RunningPorts[0], "CLUSTER", "KEYSLOT", name), CultureInfo.InvariantCulture);

    /// <summary>The master that serves a key's or a shard channel's slot.</summary>
    /// <param name="name">The key or channel.</param>
    /// <returns>The master.</returns>
    /// <remarks>
    /// Right after a failover or a slot move a node's view can show no owner (or two) for a moment while
    /// gossip settles: this waits until exactly one live master serves the slot.
    /// </remarks>
    public async Task<ClusterNode> OwnerOfAsync(string name)
    {
        var slot = await SlotOfAsync(name);
        ClusterNode? owner = null;
        await UntilAsync(
            async () =>
            {
                var owners = (await MastersAsync()).Where(m => m.Serves(slot)).ToList();
                owner = owners.Count == 1 ? owners[0] : null;
                return owner is not null;
            },
            $"exactly one live master serves slot {slot} ({name})",
            TimeSpan.FromSeconds(15));
        return owner!;
    }

    /// <summary>
    /// Moves one slot to another master the way <c>redis-cli --cluster reshard</c> does: IMPORTING on the
    /// target, MIGRATING on the source, the slot's keys moved with MIGRATE, then NODE on the target,
    /// the source and every other master. Returns when every running node agrees.
    /// </summary>
    /// <param name="slot">The slot.</param>
    /// <param name="targetPort">The master to move it to.</param>
    /// <returns>A task that completes when the move is done.</returns>
    public async Task MigrateSlotAsync(int slot, int targetPort)
    {
        var masters = await MastersAsync();
        var source = masters.Single(m => m.Serves(slot));
        var target = masters.Single(m => m.Port == targetPort);
        if (source.Port == target.Port)
        {
            throw new InvalidOperationException($"Slot {slot} is already on {targetPort}.");
        }

        var s = slot.ToString(CultureInfo.InvariantCulture);
        await CommandAsync(target.Port, "CLUSTER", "SETSLOT", s, "IMPORTING", source.Id);
        await CommandAsync(source.Port, "CLUSTER", "SETSLOT", s, "MIGRATING", target.Id);
        while (true)
        {
            var keys = (await CommandAsync(source.Port, "CLUSTER", "GETKEYSINSLOT", s, "100")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (keys.Length == 0)
            {
                break;
            }

            await CommandAsync(source.Port, ["MIGRATE", "127.0.0.1", target.Port.ToString(CultureInfo.InvariantCulture), string.Empty, "0", "5000", "KEYS", .. keys]);
        }

        await CommandAsync(target.Port, "CLUSTER", "SETSLOT", s, "NODE", target.Id);
        await CommandAsync(source.Port, "CLUSTER", "SETSLOT", s, "NODE", target.Id);
        foreach (var other in masters.Where(m => m.Port != source.Port && m.Port != target.Port))
        {
            await CommandAsync(other.Port, "CLUSTER", "SETSLOT", s, "NODE", target.Id);
        }

        await UntilAsync(
            async () =>
            {
                foreach (var port in RunningPorts)
                {
                    var owner = (await NodesAsync(port)).FirstOrDefault(n => n.IsMaster && n.Serves(slot));
                    if (owner?.Port != target.Port)
                    {
                        return false;
                    }
                }

                return true;
            },
            $"every node sees slot {slot} on {target.Port}",
            StartTimeout);
    }

    /// <summary>The shard channels with subscribers on one node (<c>PUBSUB SHARDCHANNELS pattern</c>).</summary>
    /// <param name="port">The node.</param>
    /// <param name="pattern">A glob, e.g. <c>prefix:*</c>.</param>
    /// <returns>The channels.</returns>
    public async Task<IReadOnlyList<string>> ShardChannelsAsync(int port, string pattern) =>
        Lines(await CommandAsync(port, "PUBSUB", "SHARDCHANNELS", pattern));

    /// <summary>The classic channels with subscribers on one node (<c>PUBSUB CHANNELS pattern</c>).</summary>
    /// <param name="port">The node.</param>
    /// <param name="pattern">A glob, e.g. <c>prefix:*</c>.</param>
    /// <returns>The channels.</returns>
    public async Task<IReadOnlyList<string>> ChannelsAsync(int port, string pattern) =>
        Lines(await CommandAsync(port, "PUBSUB", "CHANNELS", pattern));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Polls an asynchronous condition until it is true; fails the test on timeout.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="because">What is awaited, for the failure message.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (!await condition())
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting until {because}.");
            }

            await Task.Delay(20);
        }
    }
}
